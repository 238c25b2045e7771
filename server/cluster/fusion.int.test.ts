/**
 * Job fusion (worker.ts `runHere`): a chord body that is one task runs inside the job that released its
 * chord, and a
 * chain's next step inside the finishing job (bounded per job), with the same results, attempts and
 * retries as separate jobs. Counted through BullMQ's own `added` events on the task queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../lib/canvas/model';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ workers: 2, concurrency: 4 });
});
afterAll(() => cluster.close());

/** Ids of the jobs BullMQ added to `queue` for a run (from the queue's event stream). */
async function addedTaskJobs(runId: string, queue = 'tasks'): Promise<string[]> {
  const redis = cluster.stack.redis;
  if (!redis) throw new Error('no redis');
  const entries = await redis.xrange(`${cluster.config.keyPrefix}:${queue}:events`, '-', '+');
  const ids: string[] = [];
  for (const [, fields] of entries) {
    const f = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] ?? '', fields[i + 1] ?? '');
    const id = f.get('jobId') ?? '';
    if (f.get('event') === 'added' && id.startsWith(`${runId}.`)) ids.push(id);
  }
  return ids;
}

/** Waits until none of `ids` (queue:id) is left in Redis: a finished run's jobs are removed. */
async function removed(ids: string[]): Promise<boolean> {
  const redis = cluster.stack.redis;
  if (!redis) throw new Error('no redis');
  const keys = ids.map((id) => `${cluster.config.keyPrefix}:${id}`);
  for (let i = 0; i < 200; i++) {
    if ((await redis.exists(...keys)) === 0) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** How many run.finished events the run's log holds. */
async function finishedEvents(runId: string): Promise<number> {
  const events = await cluster.stack.client?.store.readEvents(runId);
  return (events ?? []).filter((e) => e.type === 'run.finished').length;
}

describe('job fusion on the cluster', () => {
  it('runs a single-task chord body inside the barrier job', async () => {
    const canvas: Json = {
      chord: {
        header: [
          { task: 'identity', args: [2] },
          { task: 'identity', args: [3] },
        ],
        body: { task: 'tsum' },
      },
    };
    const r = await cluster.run(canvas, { runId: 'fuse-chord' });
    expect(r.status).toBe('success');
    expect(r.result).toBe(5);
    expect(r.tasks.map((t) => t.attempts)).toEqual([1, 1, 1]);
    // Two header jobs; the body never became a job of its own.
    expect(await addedTaskJobs('fuse-chord')).toHaveLength(2);
    // Barriers are not jobs (barrier.ts): the last header job released the chord, ran the body and
    // ended the run, once.
    expect(await addedTaskJobs('fuse-chord', 'barriers')).toEqual([]);
    expect(await finishedEvents('fuse-chord')).toBe(1);
    // After the run's end its jobs and its barrier hash are removed (runCleanup.ts).
    const jobs = [
      'run:fuse-chord:barrier',
      ...(await addedTaskJobs('fuse-chord')).map((id) => `tasks:${id}`),
    ];
    expect(await removed(jobs)).toBe(true);
  });

  it('falls back to a delayed job when an inline body retries', async () => {
    const canvas: Json = {
      chord: {
        header: [{ task: 'identity', args: [1] }],
        body: { task: 'flaky', args: [2, 'done'], id: 'fb', immutable: true },
      },
    };
    const r = await cluster.run(canvas, { runId: 'fuse-retry' });
    expect(r.status).toBe('success');
    expect(r.result).toBe('done');
    const body = r.tasks.find((t) => t.id === 'fb');
    expect(body?.history.map((h) => h.outcome)).toEqual(['retry', 'retry', 'success']);
    const [a1, a2] = body?.history ?? [];
    expect((a2?.started_at ?? 0) - (a1?.finished_at ?? 0)).toBeGreaterThanOrEqual(150);
    // The header job, then the body's own job for its retries.
    expect(await addedTaskJobs('fuse-retry')).toHaveLength(2);
    // The retried body stays a member of the root until its own job completes it.
    expect(await addedTaskJobs('fuse-retry', 'barriers')).toEqual([]);
    expect(await finishedEvents('fuse-retry')).toBe(1);
  });

  it('sends the callbacks of a one-chord run under the root as plain jobs; the root waits for them', async () => {
    const canvas: Json = {
      chord: {
        header: [{ task: 'identity', args: [1] }, { task: 'fail' }],
        body: {
          task: 'tsum',
          // Two errback tasks: neither runs inline (one continuation at most does), both go under the root.
          link_error: [
            { task: 'on_error_id', kwargs: { tag: 'eb1' } },
            { task: 'on_error_id', kwargs: { tag: 'eb2' } },
          ],
        },
      },
    };
    const r = await cluster.run(canvas, { runId: 'fuse-errback' });
    expect(r.status).toBe('failure');
    expect(r.observations.map((o) => (o as { tag?: string }).tag).sort()).toEqual(['eb1', 'eb2']);
    expect(await addedTaskJobs('fuse-errback', 'barriers')).toEqual([]);
    // Two header jobs and the two errback jobs (sent after the body ran inline).
    const added = await addedTaskJobs('fuse-errback');
    expect(added).toHaveLength(4);
    expect(await finishedEvents('fuse-errback')).toBe(1);
    expect(await removed(['run:fuse-errback:barrier', ...added.map((id) => `tasks:${id}`)])).toBe(true);
  });

  it('runs a chain in a few jobs, at most 16 steps each, with the same result', async () => {
    const steps = 40;
    const canvas: Json = {
      chain: [
        { task: 'add', args: [0, 1] },
        ...Array.from({ length: steps - 1 }, () => ({ task: 'add', args: [1] })),
      ],
    };
    const r = await cluster.run(canvas, { runId: 'fuse-chain' });
    expect(r.status).toBe('success');
    expect(r.result).toBe(steps);
    expect(r.tasks).toHaveLength(steps);
    expect(r.tasks.every((t) => t.attempts === 1 && t.state === 'SUCCESS')).toBe(true);
    // 1 + 16 inline, then a new job: ceil(40 / 17) jobs.
    expect(await addedTaskJobs('fuse-chain')).toHaveLength(3);
  });
});
