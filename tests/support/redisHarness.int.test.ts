import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from './testRedisUrl';

describe('private redis harness', () => {
  const redis = new Redis(testRedisUrl());
  afterAll(() => redis.quit());

  it('talks to a private server that is not the machine default', async () => {
    expect(testRedisUrl()).not.toContain(':6379');
    await redis.set('chordflow:harness', 'ok');
    expect(await redis.get('chordflow:harness')).toBe('ok');
  });
});
