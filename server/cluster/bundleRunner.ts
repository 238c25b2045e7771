/**
 * How a worker runs a bundle job (bundle.ts): its members one after another, run by run when the job
 * was packed from several runs' small headers, each member as if it had been delivered alone (same
 * events, store writes and retries), each run's barrier completions recorded together once its members
 * ran. The first member's job is the bundle's (same id): its retry is the job's.
 *
 * Time: `maxInlineMs` after the job started, the members not started yet go out as jobs of their own,
 * whichever run they belong to, so a slow member holds no other back; the member running finishes. A
 * job that reaches its members only after that (its runs' contexts were slow to read) runs its own
 * member and sends the others out at once (its own member sent out would find the job itself).
 * Redelivery (`again`): a member whose own job exists was sent out by the first delivery and is left
 * to that job. Cancel: a canceled run's members not started never start and are not sent out.
 */
import type { Step, TaskMessage } from '../../lib/engine/types';
import type { StoreBatch } from '../runs/runStore';
import type { Done } from './barrier';
import { sendApart } from './bundle';
import { type BundleJobData, bundleRuns, decodeBundleData } from './jobData';
import { type Dispatcher, queueOf } from './queues';
import type { Finals } from './releaseInputs';
import type { RunContext, RunContexts } from './runContext';
import type { ActiveTasks } from './workerBeat';

export interface BundleRunnerDeps {
  contexts: RunContexts;
  batch: StoreBatch;
  dispatcher: Dispatcher;
  active: ActiveTasks;
  maxInlineMs: number;
  /** The worker's `runSteps`: a message and its inline continuations, completions into `held`. */
  runSteps(
    ctx: RunContext,
    msg: TaskMessage,
    ownJob: boolean,
    memo: Finals,
    held: Done[],
  ): Promise<Step['retry']>;
  /** The worker's `settle`: records `held` completions and releases what they release. */
  settle(ctx: RunContext, held: readonly Done[], memo: Finals): Promise<void>;
}

/** The job's own retry (its first member's), with the context to encode it in. */
export type BundleRetry = { ctx: RunContext; retry: NonNullable<Step['retry']> };

/** A function running one bundle job's data; `again`: the job is a redelivery. */
export function bundleRunner(deps: BundleRunnerDeps) {
  const { contexts, batch, dispatcher, active, runSteps, settle } = deps;

  return async function runBundle(data: BundleJobData, again: boolean): Promise<BundleRetry | undefined> {
    const deadline = performance.now() + deps.maxInlineMs;
    // The runs' contexts read together (one round trip); a run gone or canceled is skipped.
    const runs = await Promise.all(
      bundleRuns(data).map(async ({ runId, data: members }) => {
        const ctx = contexts.ready(runId) ?? (await contexts.get(runId));
        if (!ctx || contexts.canceled.has(runId)) return undefined;
        return { ctx, members: decodeBundleData(ctx.plan, members) };
      }),
    );
    let own: Step['retry'];
    let r = 0;
    let next = 0;
    let stopped = false;
    const sending: Array<Promise<void>> = [];
    const sendOut = () => {
      stopped = true;
      for (let j = r; j < runs.length; j++) {
        const run = runs[j];
        const left = run?.members.slice(j === r ? next + 1 : 0) ?? [];
        if (!run || left.length === 0 || contexts.canceled.has(run.ctx.plan.run_id)) continue;
        const sent = sendApart(batch, dispatcher, run.ctx.plan, left);
        sent.catch(() => {}); // awaited below
        sending.push(sent);
      }
    };
    const late = performance.now() >= deadline;
    if (late) sendOut();
    const timer = late ? undefined : setTimeout(sendOut, deadline - performance.now());
    try {
      for (; r < runs.length; r++, next = 0) {
        const run = runs[r];
        if (!run) continue;
        const { ctx, members } = run;
        const memo: Finals = new Map();
        const held: Done[] = [];
        for (; next < members.length; next++) {
          const m = members[next] as TaskMessage;
          if (stopped && (r > 0 || next > 0)) break; // sent out (the job's own member never is)
          if (contexts.canceled.has(ctx.plan.run_id)) break; // a revoked message never starts
          if (r === 0 && next === 0) own = await active.running(m, () => runSteps(ctx, m, true, memo, held));
          else if (!again || !(await dispatcher.jobExists(queueOf(ctx.plan, m), m.key)))
            await active.running(m, () => runSteps(ctx, m, false, memo, held));
          if (stopped) break;
        }
        // The job completes only once the members sent out are jobs (else a crash would lose them).
        await Promise.all(sending);
        await settle(ctx, held, memo);
        if (stopped) break;
      }
    } finally {
      clearTimeout(timer);
    }
    const first = runs[0];
    return own && first ? { ctx: first.ctx, retry: own } : undefined;
  };
}
