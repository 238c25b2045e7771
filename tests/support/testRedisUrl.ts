import { inject } from 'vitest';

/** The private Redis started by the integration project's global setup. */
export function testRedisUrl(): string {
  const url = (inject as (key: string) => unknown)('redisUrl');
  if (typeof url !== 'string')
    throw new Error('integration tests must run in the "integration" Vitest project');
  return url;
}
