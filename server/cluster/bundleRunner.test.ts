/**
 * The bundle runner's choices, with the worker's own steps stood in for (which members run here, in what
 * order, which go out as jobs of their own, and when each run settles); the same code on a real cluster
 * and under kills is in bundle.int.test.ts, differential.int.test.ts and crash.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../../lib/canvas/canvasJson';
import { createCatalogue } from '../../lib/canvas/catalogue';
import { planRun, startRun } from '../../lib/engine';
import type { Dispatch, RunPlan, TaskMessage } from '../../lib/engine/types';
import type { StoreBatch } from '../runs/runStore';
import { packBundles } from './bundle';
import { bundleRunner } from './bundleRunner';
import { encodeBundleData } from './jobData';
import type { Dispatcher } from './queues';
import type { RunContext, RunContexts } from './runContext';
import { ActiveTasks } from './workerBeat';

const parsed = canvasFileFromJson({
  chord: {
    header: [
      { task: 'identity', args: [1], id: 'x' },
      { task: 'identity', args: [2], id: 'y' },
    ],
    body: { task: 'tsum' },
  },
});
if (!parsed.ok) throw new Error('bad canvas');
const file = parsed.value;

function headerOf(plan: RunPlan): TaskMessage[] {
  const out: TaskMessage[] = [];
  const walk = (ds: readonly Dispatch[]) => {
    for (const d of ds) {
      if (d.message.kind === 'task') out.push(d.message);
      walk(d.children ?? []);
    }
  };
  walk(startRun(plan).dispatch);
  return out;
}

function setUp(options: { ended?: string[]; maxInlineMs?: number; slowMs?: number } = {}) {
  const plans = ['a', 'b', 'c'].map((r) => planRun(file, createCatalogue(), `run${r}`, { epoch_ms: 0 }));
  const ctxs = new Map<string, RunContext>(
    plans.map((plan) => [plan.run_id, { plan, startedMs: 0, barrierTotals: new Map() }]),
  );
  const ran: string[] = [];
  const sent: string[] = [];
  const settled: string[] = [];
  const contexts = {
    canceled: new Set<string>(),
    ready: (id: string) => ctxs.get(id),
    get: async (id: string) => ctxs.get(id),
  } as unknown as RunContexts;
  const dispatcher = {
    dispatch: async (_plan: RunPlan, ds: readonly Dispatch[]) => {
      for (const d of ds) sent.push(d.message.key);
    },
    jobExists: async () => false,
  } as unknown as Dispatcher;
  const runBundle = bundleRunner({
    contexts,
    batch: { flush: async () => {} } as unknown as StoreBatch,
    dispatcher,
    active: new ActiveTasks(),
    maxInlineMs: options.maxInlineMs ?? 10_000,
    runSteps: async (_ctx, msg, ownJob) => {
      ran.push(`${msg.key}${ownJob ? ' (own)' : ''}`);
      if (options.slowMs && ran.length === 1) await new Promise((r) => setTimeout(r, options.slowMs));
      return undefined;
    },
    settle: async (ctx) => {
      settled.push(ctx.plan.run_id);
    },
    ended: async (id) => options.ended?.includes(id) ?? false,
  });
  // The job the dispatcher would add: the three runs' bundles packed, its id the last bundle's.
  const [job] = packBundles(
    plans.map((plan) => ({ id: headerOf(plan)[0]?.key ?? '', data: encodeBundleData(plan, headerOf(plan)) })),
  );
  if (!job || !('u' in job.data)) throw new Error('not packed');
  const data = job.data;
  const run = (again: boolean) => runBundle(data, job.id, again);
  return { run, ran, sent, settled };
}

describe('bundleRunner', () => {
  it("runs a packed job's members run by run, each run settled after its members, the last run's first as the job's own", async () => {
    const { run, ran, sent, settled } = setUp();
    await run(false);
    expect(ran).toEqual(['runa.t.x', 'runa.t.y', 'runb.t.x', 'runb.t.y', 'runc.t.x (own)', 'runc.t.y']);
    expect(settled).toEqual(['runa', 'runb', 'runc']);
    expect(sent).toEqual([]);
  });

  it("redelivered: runs its own run's members, sends other runs' out, and leaves an ended run alone", async () => {
    const { run, ran, sent, settled } = setUp({ ended: ['runb'] });
    await run(true);
    expect(ran).toEqual(['runc.t.x (own)', 'runc.t.y']);
    expect(settled).toEqual(['runc']);
    expect(sent).toEqual(['runa.t.x', 'runa.t.y']);
  });

  it("at the deadline sends every member not started out, whichever run it belongs to, but the job's own", async () => {
    const { run, ran, sent } = setUp({ maxInlineMs: 20, slowMs: 80 });
    await run(false);
    expect(ran).toEqual(['runa.t.x', 'runc.t.x (own)']);
    expect(sent).toEqual(['runa.t.y', 'runb.t.x', 'runb.t.y', 'runc.t.y']);
  });

  it("past the deadline before it starts: runs only the job's own member", async () => {
    const { run, ran, sent } = setUp({ maxInlineMs: -1 });
    await run(false);
    expect(ran).toEqual(['runc.t.x (own)']);
    expect(sent).toEqual(['runa.t.x', 'runa.t.y', 'runb.t.x', 'runb.t.y', 'runc.t.y']);
  });
});
