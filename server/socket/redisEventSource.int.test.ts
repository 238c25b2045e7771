/**
 * The live layer's Redis notifications for big appends: a 20,000-task run's first append (run.started
 * with every task, the task.queued events) is megabytes, and the web process must not parse it on its
 * loop. Run-list changes still come out (with the final status), and a watched run is told to read its
 * log, which it then gets in order.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '@/lib/protocol/events';
import type { RunsChanged } from '@/lib/protocol/socketEvents';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { createRedis } from '../redis/connection';
import { RunStore } from '../runs/runStore';
import { BIG_APPEND, RedisEventSource } from './redisEventSource';

const PREFIX = '{bigappend}';
let redis: Redis;
let store: RunStore;
let source: RedisEventSource;
const changes: RunsChanged[] = [];
const appended: Array<{ runId: string; event?: RunEvent }> = [];

async function until(check: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const tasks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `task.tasks.${i}`, name: 'add', parent: null }));

beforeAll(async () => {
  redis = createRedis(testRedisUrl());
  store = new RunStore(redis, PREFIX);
  source = new RedisEventSource(redis, testRedisUrl(), PREFIX);
  await source.start({
    onAppended: (runId, event) => appended.push({ runId, ...(event ? { event } : {}) }),
    onRunsChanged: (change) => changes.push(change),
  });
});
afterAll(async () => {
  await source.stop();
  await redis.quit();
});

describe('RedisEventSource with big appends', () => {
  it('announces a big run without parsing it; a watched run is told to read its log', async () => {
    const started = { type: 'run.started' as const, at: 0, tasks: tasks(3000) };
    expect(JSON.stringify(started).length).toBeGreaterThan(BIG_APPEND);
    await store.appendEvents('big1', [started as never]);
    await until(() => changes.some((c) => c.run_id === 'big1'), 'the created change');
    expect(changes.filter((c) => c.run_id === 'big1')).toEqual([{ kind: 'created', run_id: 'big1' }]);
    expect(appended.filter((a) => a.runId === 'big1')).toEqual([]);

    await source.watch('big1');
    const result = tasks(6000).map((t) => t.id);
    expect(JSON.stringify(result).length).toBeGreaterThan(BIG_APPEND);
    await store.appendEvents('big1', [{ type: 'run.finished', at: 9, status: 'success', result } as never]);
    await until(() => appended.some((a) => a.runId === 'big1'), 'the appended notice');
    // Told that the log grew, without the event: the feed reads it from the log.
    expect(appended.filter((a) => a.runId === 'big1')).toEqual([{ runId: 'big1' }]);
    expect(changes.filter((c) => c.run_id === 'big1').at(-1)).toEqual({
      kind: 'finished',
      run_id: 'big1',
      status: 'success',
    });

    // Small appends still carry their events.
    await store.appendEvents('big1', [{ type: 'observation', at: 10, observation: 1 } as never]);
    await until(() => appended.filter((a) => a.runId === 'big1').length === 2, 'the small append');
    expect(appended.at(-1)?.event).toMatchObject({ type: 'observation', seq: 3, run_id: 'big1' });
  });
});
