/** Without Redis the API still answers: ping/health work, run endpoints say what is missing (503). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_UNAVAILABLE } from '../../redis/ensureRedis';
import { type RunningApiServer, startApiServer } from '../apiServer';
import { createApiHandler } from './index';

let server: RunningApiServer;
beforeAll(async () => {
  server = await startApiServer(
    createApiHandler({ bodyLimitBytes: 1024, redisUnavailable: REDIS_UNAVAILABLE }),
    { port: 0 },
  );
});
afterAll(() => server.close());

describe('API without Redis', () => {
  it('answers 503 with the reason for run endpoints and stays up', async () => {
    const post = await fetch(`${server.url}/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ canvas: { task: 'identity' } }),
    });
    expect(post.status).toBe(503);
    expect(await post.json()).toEqual({
      error: 'Redis is not available: set REDIS_URL or install redis-server.',
    });
    expect((await fetch(`${server.url}/api/workflows`)).status).toBe(503);
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'degraded', redis: 'not available' });
    expect(await (await fetch(`${server.url}/api/ping`)).json()).toEqual({ message: 'pong' });
  });

  it('rejects a body above the limit with 413 and unknown routes with 404', async () => {
    const big = await fetch(`${server.url}/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(5000),
    });
    expect(big.status).toBe(413);
    expect((await fetch(`${server.url}/api/nothing-here`)).status).toBe(404);
  });
});
