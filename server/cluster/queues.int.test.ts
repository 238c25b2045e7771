/**
 * The dispatcher's group commit of flows (queues.ts `addFlow`): flows dispatched in the same turn go
 * to Redis together, each caller waits for its own, and a flow BullMQ refuses fails only its caller.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../../lib/canvas/canvasJson';
import { createCatalogue } from '../../lib/canvas/catalogue';
import type { Json } from '../../lib/canvas/model';
import { planRun, startRun } from '../../lib/engine';
import type { Dispatch, RunPlan } from '../../lib/engine/types';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { BARRIER_QUEUE, Dispatcher } from './queues';

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

describe('flows dispatched together', () => {
  it('are all added, and a refused one fails only its own dispatch', async () => {
    const runs = Array.from({ length: 70 }, (_, i) => chordRun(`batch${i}`));
    const bad = chordRun('batchbad');
    const root = bad.dispatch[0];
    if (!root) throw new Error('no root');
    // BullMQ refuses an all-digits job id: this flow cannot be added.
    const refused = [{ ...root, message: { ...root.message, key: '12345' } }];
    const results = await Promise.allSettled([
      ...runs.map((r) => dispatcher.dispatch(r.plan, r.dispatch)),
      dispatcher.dispatch(bad.plan, refused),
    ]);
    expect(results.slice(0, runs.length).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[runs.length]?.status).toBe('rejected');
    for (const r of runs) {
      const key = r.plan.barriers[0]?.key ?? '';
      expect(await dispatcher.jobExists(BARRIER_QUEUE, key)).toBe(true);
      expect(await dispatcher.queue(BARRIER_QUEUE).getJobState(key)).toBe('waiting-children');
    }
    expect(await dispatcher.jobExists(BARRIER_QUEUE, '12345')).toBe(false);
  });
});
