import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { loadConfig } from '../config';
import { type Stack, startStack } from './stack';

let stack: Stack;
beforeAll(async () => {
  const config = { ...loadConfig({ REDIS_URL: testRedisUrl() }), keyPrefix: '{cfsmoke}', tasksDir: './tasks' };
  stack = await startStack({ config, startLocalRedis: false, startModelService: true, workers: 1 });
  stack.modelService && (config.modelServicePort = stack.modelService.port);
});
afterAll(() => stack.close());

describe('cluster smoke', () => {
  it('runs a chain', async () => {
    const c = stack.client!;
    const run = await c.submit({ file: c.parseCanvas({ chain: [{ task: 'add', args: [1, 2] }, { task: 'mul', args: [10] }] }) });
    const done = await c.waitFinished(run.id, 10_000);
    const events = await c.store.readEvents(run.id);
    console.log(events.map((e) => JSON.stringify(e)).join('\n'));
    expect(done?.status).toBe('success');
  });
});
