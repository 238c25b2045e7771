/**
 * The removal of an ended run's jobs (runCleanup.ts) against a private Redis, on jobs laid out as
 * BullMQ keeps them: a completed job goes (hash and `completed` entry), a waiting one goes (hash and
 * `wait` entry), a locked active one is left and keeps its run dirty, a member without a job is skipped.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { barrierHashKey } from './barrier';
import { RunCleanup } from './runCleanup';

const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
const prefix = `{clean${process.pid}}`;
const cleanup = new RunCleanup(redis, prefix);
afterAll(() => redis.disconnect());

const q = `${prefix}:tasks`;

async function job(id: string): Promise<void> {
  await redis.hset(`${q}:${id}`, 'name', 'identity', 'data', '{}');
}

describe('run cleanup', () => {
  it('removes completed and waiting jobs, leaves a locked one and its run', async () => {
    const run = 'cr1';
    const done = `${run}.t.a`;
    const waiting = `${run}.t.b`;
    const locked = `${run}.t.c`;
    const missing = `${run}.t.d`;
    await redis.hset(barrierHashKey(prefix, run), done, '1', waiting, '0', locked, '0', missing, '0');
    await job(done);
    await redis.zadd(`${q}:completed`, 1, done);
    await job(waiting);
    await redis.lpush(`${q}:wait`, waiting);
    await job(locked);
    await redis.lpush(`${q}:active`, locked);
    await redis.set(`${q}:${locked}:lock`, 'token');

    expect(await cleanup.clean(run)).toBe(false);
    expect(await redis.exists(`${q}:${done}`, `${q}:${waiting}`)).toBe(0);
    expect(await redis.zscore(`${q}:completed`, done)).toBeNull();
    expect(await redis.lrange(`${q}:wait`, 0, -1)).toEqual([]);
    expect(await redis.exists(`${q}:${locked}`)).toBe(1);
    expect(await redis.lrange(`${q}:active`, 0, -1)).toEqual([locked]);
    // The run stays dirty (its barrier hash is kept) until the locked job is gone too.
    expect(await redis.exists(barrierHashKey(prefix, run))).toBe(1);

    await redis.del(`${q}:${locked}:lock`);
    await redis.lrem(`${q}:active`, 1, locked);
    await redis.zadd(`${q}:completed`, 2, locked);
    expect(await cleanup.clean(run)).toBe(true);
    expect(await redis.exists(`${q}:${locked}`, barrierHashKey(prefix, run))).toBe(0);
    expect(await redis.zcard(`${q}:completed`)).toBe(0);
  });

  it("leaves a packed bundle that has not completed while it carries another run's members", async () => {
    // Runs cp1 and cp2 packed in one job (bundle.ts packBundles): its id is cp2's first member's key.
    const packed = 'cp2.t.a';
    const data = JSON.stringify({
      u: [
        { t: 0, y: 'cp1.t.a' },
        { t: 1, y: 'cp1.t.b' },
        { t: 0, y: packed },
      ],
    });
    await redis.hset(barrierHashKey(prefix, 'cp2'), packed, '1');
    await redis.hset(`${q}:${packed}`, 'name', 'identity', 'data', data);
    // Its worker died: unlocked, back in `wait` until BullMQ hands it out again.
    await redis.lpush(`${q}:wait`, packed);
    expect(await cleanup.clean('cp2')).toBe(false);
    expect(await redis.exists(`${q}:${packed}`)).toBe(1);
    expect(await redis.lrange(`${q}:wait`, 0, -1)).toEqual([packed]);
    // Once it completed, it goes like any other job.
    await redis.lrem(`${q}:wait`, 1, packed);
    await redis.zadd(`${q}:completed`, 1, packed);
    expect(await cleanup.clean('cp2')).toBe(true);
    expect(await redis.exists(`${q}:${packed}`, barrierHashKey(prefix, 'cp2'))).toBe(0);
    // A bundle of one run's members only is removed waiting, as before.
    const own = 'cp3.t.a';
    await redis.hset(barrierHashKey(prefix, 'cp3'), own, '0');
    await redis.hset(
      `${q}:${own}`,
      'data',
      JSON.stringify({
        u: [
          { t: 0, y: own },
          { t: 1, y: 'cp3.t.b' },
        ],
      }),
    );
    await redis.lpush(`${q}:wait`, own);
    expect(await cleanup.clean('cp3')).toBe(true);
    expect(await redis.exists(`${q}:${own}`)).toBe(0);
  });

  it("removes the barriers job of an empty header the submit released, and a big run's jobs in pages", async () => {
    const run = 'cr.2';
    const b = `${prefix}:barriers`;
    const empty = `${run}.c.e`;
    await redis.hset(
      barrierHashKey(prefix, run),
      `${run}.root|p`,
      '1',
      empty,
      '1',
      `${empty}|r`,
      `${run}.submit`,
    );
    await redis.hset(`${b}:${empty}`, 'name', 'barrier', 'data', '{}');
    await redis.zadd(`${b}:completed`, 1, empty);
    const task = `${run}.t.x`;
    await redis.hset(barrierHashKey(prefix, run), task, '1');
    await job(task);
    await redis.zadd(`${q}:completed`, 1, task);
    expect(await cleanup.clean(run)).toBe(true);
    expect(await redis.exists(`${b}:${empty}`, `${q}:${task}`, barrierHashKey(prefix, run))).toBe(0);
    expect(await redis.zcard(`${b}:completed`)).toBe(0);

    const big = 'cr3';
    const ids = Array.from({ length: 150 }, (_, i) => `${big}.t.m${i}`);
    for (const id of ids) {
      await redis.hset(barrierHashKey(prefix, big), id, '1');
      await job(id);
      await redis.zadd(`${q}:completed`, 1, id);
    }
    const locked = `${big}.t.locked`;
    await redis.hset(barrierHashKey(prefix, big), locked, '0');
    await job(locked);
    await redis.set(`${q}:${locked}:lock`, 'token');
    expect(await cleanup.clean(big)).toBe(false);
    expect(await redis.zcard(`${q}:completed`)).toBe(0);
    expect(await redis.exists(`${q}:${locked}`, barrierHashKey(prefix, big))).toBe(2);
    await redis.del(`${q}:${locked}:lock`);
    expect(await cleanup.clean(big)).toBe(true);
    expect(await redis.exists(`${q}:${locked}`, barrierHashKey(prefix, big))).toBe(0);
  });
});
