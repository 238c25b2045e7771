/**
 * The attempts of one loop run, worker slot by worker slot: most are the quick path — a plan task whose
 * attempt is only its code's direct answer after a fixed duration (`PlanView.quickMs`), decided from
 * the plan's arrays without the task's object — and the rest `performAttempt` (models, effects, time
 * limits, user tasks).
 */
import type { JsonObject, SimModel } from '../canvas/model';
import { planArrays } from '../engine/planArrays';
import { directTaskInto, type SuccessSlot } from '../engine/tasks';
import type { AttemptOutcome, RunPlan, TaskMessage } from '../engine/types';
import { performAttempt } from './attempt';
import { planView } from './planView';
import type { Random } from './prng';

/** Empty kwargs (read only). */
const NO_KWARGS: JsonObject = Object.freeze({}) as JsonObject;

export class SlotAttempts {
  /** One success outcome per slot, refilled by the quick path (`directTaskInto`). */
  private readonly success: SuccessSlot[] = [];
  private readonly quickMs: Float64Array;
  private readonly runnable: Uint8Array;
  /** Each task's own kwargs (`planArrays`). */
  private readonly ownKwargs: readonly JsonObject[];
  /** Where `performAttempt` puts an attempt's duration. */
  private readonly took = { elapsed: 0 };
  /** The modelled service's state (calls per request id). */
  private readonly counts = new Map<string, number>();
  /** How long the last attempt `run` decided took (virtual ms). */
  elapsed = 0;

  constructor(
    private readonly plan: RunPlan,
    /** Simulation model per plan task (`LoopOptions.models`). */
    private readonly models: ReadonlyArray<SimModel | undefined>,
    private readonly random: Random,
    slots: number,
  ) {
    const view = planView(plan);
    this.quickMs = view.quickMs;
    this.runnable = view.runnable;
    this.ownKwargs = planArrays(plan).kwargs;
    for (let i = 0; i < slots; i++) this.success.push({ kind: 'success', value: null });
  }

  /** The outcome of `msg`'s attempt in worker slot `slot`; its duration in `elapsed`. */
  run(msg: TaskMessage, slot: number): AttemptOutcome {
    const ti = msg.task;
    const planned = ti >= 0 && msg.dynamic === undefined;
    const models = this.models;
    const model = planned && models.length > 0 ? models[ti] : undefined;
    if (planned && model === undefined) {
      const quick = this.quickMs[ti] as number;
      if (!Number.isNaN(quick)) {
        // A quick task's own kwargs are empty (`PlanView.quickMs`): when the message has them, the shared
        // empty object stands for them, so the check does not read each task's own (a cache miss per task
        // on a big canvas).
        const kwargs = msg.kwargs === this.ownKwargs[ti] ? NO_KWARGS : msg.kwargs;
        const direct = directTaskInto(msg.name, msg.args, kwargs, this.success[slot] as SuccessSlot);
        if (direct !== undefined && direct.kind !== 'effect') {
          this.elapsed = quick;
          return direct;
        }
      }
    }
    const runnable = planned ? this.runnable[ti] === 1 : undefined;
    const took = this.took;
    const outcome = performAttempt(this.plan, msg, model, this.random, this.counts, took, runnable);
    this.elapsed = took.elapsed;
    return outcome;
  }
}
