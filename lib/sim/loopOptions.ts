/**
 * What a simulation loop is asked to do (workers, pools, randomness, what to keep) and what it gives
 * back, with the worker-slot arithmetic both the loop and its scratch arrays use.
 */
import type { SimModel } from '../canvas/model';
import type { RunEvent, RunStatus } from '../protocol/events';
import type { WorkerPool } from './pools';
import type { Random } from './prng';
import type { ReportRecorder } from './reportRecorder';

export interface LoopOptions {
  workers: number;
  concurrency: number;
  /** Worker pools per queue; absent = `workers × concurrency` slots consuming every queue. */
  pools?: readonly WorkerPool[];
  random: Random;
  /** Simulation model per plan task (index-aligned; shorter when the rest have none). */
  models: ReadonlyArray<SimModel | undefined>;
  /** Keep the event trace and the critical path (Monte Carlo runs skip both). */
  trace: boolean;
  /**
   * Streams the trace: with `trace`, each event goes to `sink` as it happens instead of into
   * `events` (which comes back empty), so a 1,000,000-task run never holds its whole trace.
   */
  sink?: (event: RunEvent) => void;
  /** Records the run report as the run goes (with or without the trace). */
  recorder?: ReportRecorder;
  /** Keep the critical path (default: when the trace or a recorder is kept). */
  criticalPath?: boolean;
}

export interface LoopResult {
  events: RunEvent[];
  status: RunStatus;
  makespan_ms: number;
  /** Retries scheduled during the run. */
  retries: number;
  /** Task ids along what enabled the last finishing task (empty without trace). */
  critical_path: string[];
}

/** The worker pools of a run: the given pools, or one pool of `workers × concurrency` on every queue. */
export function poolsOf(opts: LoopOptions): readonly WorkerPool[] {
  return (
    opts.pools ?? [
      { queue: '', workers: Math.max(1, opts.workers), concurrency: Math.max(1, opts.concurrency) },
    ]
  );
}

/** Worker slots of all pools (`Simulation` numbers them in this order). */
export function slotCount(opts: LoopOptions): number {
  let slots = 0;
  for (const pool of poolsOf(opts)) slots += Math.max(1, pool.workers) * Math.max(1, pool.concurrency);
  return slots;
}
