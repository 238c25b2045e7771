/**
 * The dispatcher's group commit (queues.ts `addJobs`): jobs dispatched in the same turn go to Redis
 * together, each caller waits for its own, and a job BullMQ refuses fails only its caller. Barriers are
 * not jobs: a chord's dispatch adds its header members' jobs only (plain jobs, no BullMQ parent).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../../lib/canvas/canvasJson';
import { createCatalogue } from '../../lib/canvas/catalogue';
import type { Json } from '../../lib/canvas/model';
import { planRun, startRun } from '../../lib/engine';
import type { Dispatch, RunPlan } from '../../lib/engine/types';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { BARRIER_QUEUE, DEFAULT_TASK_QUEUE, Dispatcher } from './queues';

const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
// A prefix no worker listens on: the jobs stay as they were added.
const dispatcher = new Dispatcher(connection, `{flows${process.pid}}`);
afterAll(async () => {
  await dispatcher.close();
  connection.disconnect();
});

function chordRun(runId: string): { plan: RunPlan; dispatch: Dispatch[] } {
  const parsed = canvasFileFromJson({
    chord: {
      header: [
        { task: 'identity', args: [1] },
        { task: 'identity', args: [2] },
      ],
      body: { task: 'tsum' },
    },
  } as Json);
  if (!parsed.ok) throw new Error('bad canvas');
  const plan = planRun(parsed.value, createCatalogue(), runId);
  return { plan, dispatch: startRun(plan).dispatch };
}

/** The header members' message keys of a chord run's first dispatch. */
function headerKeys(dispatch: Dispatch[]): string[] {
  return (dispatch[0]?.children?.[0]?.children ?? []).map((c) => c.message.key);
}

describe('jobs dispatched together', () => {
  it('are all added, and a refused one fails only its own dispatch', async () => {
    const runs = Array.from({ length: 70 }, (_, i) => chordRun(`batch${i}`));
    const bad = chordRun('batchbad');
    const root = bad.dispatch[0];
    const chord = root?.children?.[0];
    const member = chord?.children?.[0];
    if (!root || !chord || !member) throw new Error('no chord');
    // BullMQ refuses an all-digits job id: this dispatch cannot be added.
    const refused = [
      {
        ...root,
        children: [{ ...chord, children: [{ ...member, message: { ...member.message, key: '12345' } }] }],
      },
    ];
    const results = await Promise.allSettled([
      ...runs.map((r) => dispatcher.dispatch(r.plan, r.dispatch)),
      dispatcher.dispatch(bad.plan, refused),
    ]);
    expect(results.slice(0, runs.length).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[runs.length]?.status).toBe('rejected');
    for (const r of runs) {
      const keys = headerKeys(r.dispatch);
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        expect(await dispatcher.queue(DEFAULT_TASK_QUEUE).getJobState(key)).toBe('waiting');
        expect((await dispatcher.queue(DEFAULT_TASK_QUEUE).getJob(key))?.parentKey).toBeUndefined();
      }
      // The barriers are ours (barrier.ts), not BullMQ jobs.
      expect(await dispatcher.jobExists(BARRIER_QUEUE, r.plan.barriers[0]?.key ?? '')).toBe(false);
    }
    expect(await dispatcher.jobExists(DEFAULT_TASK_QUEUE, '12345')).toBe(false);
  });
});
