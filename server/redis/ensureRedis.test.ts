import { describe, expect, it } from 'vitest';
import { isRedisReachable } from './connection';
import { ensureRedis } from './ensureRedis';

describe('ensureRedis', () => {
  it('reports an explicit REDIS_URL that does not answer, with what to do', async () => {
    expect(await isRedisReachable('redis://127.0.0.1:1', 300)).toBe(false);
    const r = await ensureRedis({ url: 'redis://127.0.0.1:1', explicit: true });
    expect(r.kind).toBe('none');
    if (r.kind === 'none')
      expect(r.reason).toMatch(/does not answer\. Redis is not available: set REDIS_URL/);
  });
});
