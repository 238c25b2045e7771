/**
 * The loop's arrays for one plan, kept between runs of that plan: Monte Carlo runs a small plan a
 * thousand times, and making a dozen typed arrays per run cost more than the run itself; a big plan run
 * again (scenarios compared on one 100,000-task canvas) would otherwise start each run by collecting
 * the last run's arrays (measured: 45–48 ms instead of 57 ms for a 100,000-task group). They live as
 * long as the plan (a WeakMap), which is what holds their size in check; a run that starts while
 * another of the same plan holds them (never, today: runs are synchronous) gets new ones.
 */
import type { RunPlan } from '../engine/types';
import { ActionHeap } from './actionHeap';
import { FinalStore } from './finalStore';
import { IntQueue } from './intQueue';
import { MessageTable } from './messageTable';

/** Plans up to this many tasks keep their arrays between runs (beyond it, a one-off run's arrays go with it). */
const KEEP_UP_TO_TASKS = 2_000_000;

export class LoopScratch {
  busy = false;
  readonly heap = new ActionHeap();
  readonly fifos: IntQueue[] = [];
  /** See `Simulation.pending`. */
  pending: Float64Array = new Float64Array(96);
  readonly slotHandle: Int32Array;
  readonly messages: MessageTable;
  readonly finals: FinalStore;
  /** Per plan barrier: dispatched and not released yet, messages outstanding, chord.progress counts. */
  readonly live: Uint8Array;
  readonly outstanding: Int32Array;
  readonly done: Int32Array;
  readonly total: Int32Array;

  constructor(
    plan: RunPlan,
    readonly slots: number,
    pools: number,
  ) {
    for (let p = 0; p < pools; p++) this.fifos.push(new IntQueue());
    this.slotHandle = new Int32Array(slots);
    this.messages = new MessageTable(plan);
    this.finals = new FinalStore(plan);
    const nb = plan.barriers.length;
    this.live = new Uint8Array(nb);
    this.outstanding = new Int32Array(nb);
    this.done = new Int32Array(nb);
    this.total = new Int32Array(nb);
  }

  private reset(): void {
    this.heap.clear();
    for (const fifo of this.fifos) fifo.clear();
    this.messages.reset();
    this.finals.reset();
    this.live.fill(0);
  }

  private static readonly kept = new WeakMap<RunPlan, LoopScratch>();

  /** Arrays for a run of `plan` with `slots` worker slots in `pools` pools (give them back after). */
  static take(plan: RunPlan, slots: number, pools: number): LoopScratch {
    const kept = LoopScratch.kept.get(plan);
    if (kept !== undefined && !kept.busy && kept.slots === slots && kept.fifos.length === pools) {
      kept.reset();
      kept.busy = true;
      return kept;
    }
    const fresh = new LoopScratch(plan, slots, pools);
    fresh.busy = true;
    if (plan.tasks.length <= KEEP_UP_TO_TASKS && (kept === undefined || !kept.busy))
      LoopScratch.kept.set(plan, fresh);
    return fresh;
  }

  /** The run is over: the arrays may serve the plan's next run. */
  giveBack(): void {
    this.busy = false;
  }
}
