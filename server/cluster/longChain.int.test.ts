/**
 * A long chain on a real worker (private Redis, one in-process worker, the test cluster's 2 s job lock):
 * every step runs exactly once and the run ends with the right result. Chain fusion runs many steps
 * inside one job (worker.ts `runHere`); per-step work must not grow with the chain (a 100,000-step
 * chain, the API's limit, must end), and a job must never hold the loop that renews its lock so long
 * that the lock is lost (a lost lock redelivers the job: its steps would start twice). Not timed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../lib/canvas/model';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { loadTaskRegistry } from '../tasks/registry';
import { ClusterClient } from './client';
import { startClusterWorker } from './worker';

/** Big enough that per-step cost proportional to the chain shows (seconds per job), small enough for CI. */
const STEPS = 20_000;

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ workers: 1, concurrency: 4 });
});
afterAll(() => cluster.close());

describe('a long chain on the cluster', () => {
  it(`runs ${STEPS.toLocaleString('en-US')} steps, each exactly once, to the right result`, async () => {
    const canvas: Json = {
      chain: [
        { task: 'add', args: [0, 1] },
        ...Array.from({ length: STEPS - 1 }, () => ({ task: 'add', args: [1] })),
      ],
    };
    const r = await cluster.run(canvas, { runId: 'long-chain', timeoutMs: 120_000 });
    expect(r.status).toBe('success');
    expect(r.result).toBe(STEPS);
    expect(r.tasks).toHaveLength(STEPS);
    expect(r.tasks.filter((t) => t.state !== 'SUCCESS' || t.attempts !== 1)).toEqual([]);
    // A redelivered job (a lost lock) re-runs its inline steps: each would start twice.
    const events = (await cluster.stack.client?.store.readEvents('long-chain')) ?? [];
    const starts = new Map<string, number>();
    for (const e of events)
      if (e.type === 'task.started') starts.set(e.task_id, (starts.get(e.task_id) ?? 0) + 1);
    expect(starts.size).toBe(STEPS);
    expect([...starts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
  }, 180_000);
});

describe('the inline time bound', () => {
  it('starts no inline step once a job ran maxInlineMs (0: every chain step is a job of its own)', async () => {
    const url = testRedisUrl();
    const prefix = `{cflc${process.pid}}`;
    const registry = await loadTaskRegistry(undefined);
    const redis = new Redis(url, { maxRetriesPerRequest: null });
    const client = new ClusterClient(redis, prefix, registry.catalogue);
    const worker = await startClusterWorker({ redisUrl: url, prefix, registry, maxInlineMs: 0 });
    try {
      const steps = 20;
      const run = await client.submit({
        file: client.parseCanvas({
          chain: [
            { task: 'add', args: [0, 1] },
            ...Array.from({ length: steps - 1 }, () => ({ task: 'add', args: [1] })),
          ],
        }),
        runId: 'bounded-chain',
      });
      const done = await client.waitFinished(run.id, 30_000);
      expect(done?.status).toBe('success');
      const entries = await redis.xrange(`${prefix}:tasks:events`, '-', '+');
      const added = entries.filter(
        ([, f]) => f.includes('added') && f.some((v) => v.startsWith('bounded-chain.')),
      );
      // With the count bound alone (16 inline steps per job) this is 2 jobs.
      expect(added).toHaveLength(steps);
    } finally {
      await worker.close();
      await client.close();
      redis.disconnect();
    }
  });
});
