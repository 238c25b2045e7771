/**
 * The dispatcher's group commit (queues.ts `addJobs`): jobs dispatched in the same turn go to Redis
 * together, each caller waits for its own, and a job BullMQ refuses fails only its caller. Barriers are
 * not jobs: a chord's dispatch adds its header members' jobs only (plain jobs, no BullMQ parent). A
 * backlogged queue gets a small header's members as one job (bundle.ts), an idle one a job each.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../../lib/canvas/canvasJson';
import { createCatalogue } from '../../lib/canvas/catalogue';
import type { Json } from '../../lib/canvas/model';
import { planRun, startRun } from '../../lib/engine';
import type { Dispatch, RunPlan } from '../../lib/engine/types';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { PACKED_MAX } from './bundle';
import { bundleRuns, decodeBundleData, isBundleData, type JobData } from './jobData';
import { BARRIER_QUEUE, DEFAULT_TASK_QUEUE, Dispatcher, type DispatcherOptions } from './queues';

const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
const dispatchers: Dispatcher[] = [];
let prefixSeq = 0;
/** A dispatcher on a prefix of its own that no worker listens on: the jobs stay as they were added. */
function newDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const d = new Dispatcher(connection, `{flows${process.pid}x${++prefixSeq}}`, options);
  dispatchers.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
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
    const dispatcher = newDispatcher({ bundleBacklog: Number.POSITIVE_INFINITY });
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

  it('bundle a small header into one job when the queue is backlogged', async () => {
    const dispatcher = newDispatcher({ bundleBacklog: 16 });
    const q = dispatcher.queue(DEFAULT_TASK_QUEUE);
    // 70 chords of 2 in one turn: 140 jobs reach the backlog of 16. Each header is bundled, and the
    // bundles are packed PACKED_MAX members to a job (four runs each): 18 jobs are added.
    const runs = Array.from({ length: 70 }, (_, i) => chordRun(`bundle${i}`));
    await Promise.all(runs.map((r) => dispatcher.dispatch(r.plan, r.dispatch)));
    const perJob = PACKED_MAX / 2;
    expect(await q.getWaitingCount()).toBe(Math.ceil(70 / perJob));
    for (let i = 0; i < runs.length; i += perJob) {
      const packed = runs.slice(i, i + perJob);
      // The packed job's id is its last run's first member's key.
      const job = await q.getJob(headerKeys(packed[packed.length - 1]!.dispatch)[0] ?? '');
      const data = job?.data as JobData;
      expect(isBundleData(data)).toBe(true);
      if (!isBundleData(data)) continue;
      // Each run's members, back exactly as the core sent them, in order; no member has a job of its own.
      const byRun = bundleRuns(data);
      expect(byRun.map((g) => g.runId)).toEqual(packed.map((r) => r.plan.run_id));
      packed.forEach((r, k) => {
        const members = r.dispatch[0]?.children?.[0]?.children?.map((c) => c.message);
        expect(decodeBundleData(r.plan, byRun[k]!.data)).toEqual(members);
      });
      for (const [k, r] of packed.entries())
        for (const key of headerKeys(r.dispatch).slice(k === packed.length - 1 ? 1 : 0))
          expect(await dispatcher.jobExists(DEFAULT_TASK_QUEUE, key)).toBe(false);
    }
    // The 18 jobs seen waiting count too (with the late one's, 20 ≥ 16): a lone chord right after is bundled.
    const late = chordRun('late');
    await dispatcher.dispatch(late.plan, late.dispatch);
    expect(await q.getWaitingCount()).toBe(19);
    // Unless its caller says not to (a bundle's members sent out on their own).
    const apart = chordRun('apart');
    await dispatcher.dispatch(apart.plan, apart.dispatch, { bundle: false });
    expect(await q.getWaitingCount()).toBe(21);
  });

  it('give each member its own job on an idle queue', async () => {
    const dispatcher = newDispatcher({ bundleBacklog: 64 });
    const runs = Array.from({ length: 3 }, (_, i) => chordRun(`idle${i}`));
    await Promise.all(runs.map((r) => dispatcher.dispatch(r.plan, r.dispatch)));
    const q = dispatcher.queue(DEFAULT_TASK_QUEUE);
    expect(await q.getWaitingCount()).toBe(6);
    for (const r of runs)
      for (const key of headerKeys(r.dispatch))
        expect(isBundleData((await q.getJob(key))?.data as JobData)).toBe(false);
  });
});
