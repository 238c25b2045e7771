/**
 * Job fusion (worker.ts `runHere`): a chord body that is one task runs inside its barrier job, and a
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

/** Ids of the task-queue jobs BullMQ added for a run (from the queue's event stream). */
async function addedTaskJobs(runId: string): Promise<string[]> {
  const redis = cluster.stack.redis;
  if (!redis) throw new Error('no redis');
  const entries = await redis.xrange(`${cluster.config.keyPrefix}:tasks:events`, '-', '+');
  const ids: string[] = [];
  for (const [, fields] of entries) {
    const f = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] ?? '', fields[i + 1] ?? '');
    const id = f.get('jobId') ?? '';
    if (f.get('event') === 'added' && id.startsWith(`${runId}.`)) ids.push(id);
  }
  return ids;
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
