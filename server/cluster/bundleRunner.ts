/**
 * How a worker runs a bundle job (bundle.ts): its members one after another, run by run when the job
 * was packed from several runs' small headers, each member as if it had been delivered alone (same
 * events, store writes and retries), each run's barrier completions recorded together once its members
 * ran. One member's job is the bundle's (its key is the job id: the first member of the last run, see
 * `packBundles`): its retry is the job's, and it always runs here.
 *
 * Time: `maxInlineMs` after the job started, the members not started yet go out as jobs of their own,
 * whichever run they belong to, so a slow member holds back one other at most: the job's own member,
 * which still runs here, after it (sent out, its add would find the job itself); the member running
 * finishes. A job that reaches its members only after that (its runs' contexts were slow to read) does
 * the same at once. The job's own member runs last on purpose: its run then cannot end — and its
 * cleanup remove this job — before the job is through with the other runs' members.
 * Redelivery (`again`): the job's own run's members run again, except one whose own job exists (sent
 * out by the first delivery: left to that job); other runs' members go out as jobs of their own unless
 * their run ended (`sendOthersApart`). Cancel: a canceled run's members not started never start and
 * are not sent out.
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
  /** Whether the run has ended (its status is final). */
  ended(runId: string): Promise<boolean>;
}

/** The job's own retry (its first member's), with the context to encode it in. */
export type BundleRetry = { ctx: RunContext; retry: NonNullable<Step['retry']> };

/** A function running one bundle job's data; `again`: the job is a redelivery. */
export function bundleRunner(deps: BundleRunnerDeps) {
  const { contexts, batch, dispatcher, active, runSteps, settle } = deps;

  /**
   * A redelivered bundle's members of runs other than the job's own go out as jobs of their own instead
   * of running here, unless their run has ended; `runs` keeps the job's own run only. Why: a run's
   * cleanup (runCleanup.ts) waits for its jobs that are still running, and finds them by its members'
   * keys — a packed job's id is another run's key, so a run that ended meanwhile may have lost its
   * barrier hash already, and its members re-run here would count afresh and end the run twice. As jobs
   * of their own they are the run's again (an ended run's cleanup comes SWEEP_DELAY_MS after its end,
   * far from the moment between reading the status and adding the jobs). Returns the runs left to run
   * here: the job's own.
   */
  async function sendOthersApart(
    runs: Array<{ ctx: RunContext; members: readonly TaskMessage[] } | undefined>,
    isOwn: (run: (typeof runs)[number]) => boolean,
    send: (run: { ctx: RunContext }, members: readonly TaskMessage[]) => void,
  ): Promise<typeof runs> {
    const others = runs.filter((run) => !isOwn(run));
    const ended = await Promise.all(others.map((run) => run && deps.ended(run.ctx.plan.run_id)));
    others.forEach((run, i) => {
      if (run && !ended[i]) send(run, run.members);
    });
    return runs.filter(isOwn);
  }

  return async function runBundle(
    data: BundleJobData,
    jobId: string,
    again: boolean,
  ): Promise<BundleRetry | undefined> {
    const deadline = performance.now() + deps.maxInlineMs;
    // The runs' contexts read together (one round trip); a run gone or canceled is skipped.
    let runs: Array<{ ctx: RunContext; members: readonly TaskMessage[] } | undefined> = await Promise.all(
      bundleRuns(data).map(async ({ runId, data: members }) => {
        const ctx = contexts.ready(runId) ?? (await contexts.get(runId));
        if (!ctx || contexts.canceled.has(runId)) return undefined;
        return { ctx, members: decodeBundleData(ctx.plan, members) };
      }),
    );
    const isOwn = (run: (typeof runs)[number]) => run?.members.some((m) => m.key === jobId) ?? false;
    let own: BundleRetry | undefined;
    let r = 0;
    let next = 0;
    let stopped = false;
    const sending: Array<Promise<void>> = [];
    const send = (run: { ctx: RunContext }, members: readonly TaskMessage[]) => {
      if (members.length === 0 || contexts.canceled.has(run.ctx.plan.run_id)) return;
      const sent = sendApart(batch, dispatcher, run.ctx.plan, members);
      sent.catch(() => {}); // awaited below
      sending.push(sent);
    };
    if (again) runs = await sendOthersApart(runs, isOwn, send);
    /** Every member after the one at (r, next) goes out, but the job's own (its add would find this job). */
    const sendOut = (current: boolean) => {
      stopped = true;
      for (let j = r; j < runs.length; j++) {
        const run = runs[j];
        const from = j === r && current ? next + 1 : 0;
        if (run)
          send(
            run,
            run.members.slice(from).filter((m) => m.key !== jobId),
          );
      }
    };
    const late = performance.now() >= deadline;
    if (late) sendOut(false);
    const timer = late ? undefined : setTimeout(() => sendOut(true), deadline - performance.now());
    try {
      for (; r < runs.length; r++, next = 0) {
        const run = runs[r];
        if (!run) continue;
        const { ctx, members } = run;
        const memo: Finals = new Map();
        const held: Done[] = [];
        for (; next < members.length; next++) {
          const m = members[next] as TaskMessage;
          const mine = m.key === jobId;
          if (stopped && !mine) continue; // sent out
          if (contexts.canceled.has(ctx.plan.run_id)) break; // a revoked message never starts
          if (mine) {
            const retry = await active.running(m, () => runSteps(ctx, m, true, memo, held));
            if (retry) own = { ctx, retry };
          } else if (!again || !(await dispatcher.jobExists(queueOf(ctx.plan, m), m.key)))
            await active.running(m, () => runSteps(ctx, m, false, memo, held));
        }
        // The job completes only once the members sent out are jobs (else a crash would lose them).
        await Promise.all(sending);
        await settle(ctx, held, memo);
      }
    } finally {
      clearTimeout(timer);
    }
    // The deadline may have come during the last settle: those members too must be jobs before this one
    // completes.
    await Promise.all(sending);
    return own;
  };
}
