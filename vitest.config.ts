import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    projects: [
      {
        resolve: { alias: { '@': root } },
        test: {
          name: 'unit',
          environment: 'node',
          // Property tests run thousands of cases; a shared or slow machine must not turn them into timeouts.
          testTimeout: 60_000,
          include: [
            'lib/**/*.test.ts',
            'server/**/*.test.ts',
            'components/**/*.test.ts',
            'tests/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        resolve: { alias: { '@': root } },
        test: {
          name: 'integration',
          environment: 'node',
          include: ['server/**/*.int.test.ts', 'tests/**/*.int.test.ts'],
          globalSetup: ['tests/support/redisGlobalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
