/**
 * The finals the loop stores for barrier releases, by plan index in arrays (a state code, the result,
 * the error) instead of a `TaskFinal` object per task kept for the whole run; run-time tasks (not in
 * the plan) by id. The core reads a final at once and never keeps it (`FinalLookup`), so the lookup
 * answers with one of two objects it refills.
 */
import type { Json } from '../canvas/model';
import type { FinalLookup, RunPlan, TaskFinal } from '../engine/types';
import type { TaskError } from '../protocol/events';
import { taskIndex } from './loopParts';

const STATES: ReadonlyArray<TaskFinal['state'] | undefined> = [undefined, 'SUCCESS', 'FAILURE', 'REVOKED'];

function code(state: TaskFinal['state']): number {
  return state === 'SUCCESS' ? 1 : state === 'FAILURE' ? 2 : 3;
}

export class FinalStore {
  private readonly state: Uint8Array;
  private readonly results: Array<Json | undefined>;
  /** Made on the first failure (most runs of big canvases have none). */
  private errors: Array<TaskError | undefined> | undefined;
  /** add_to_chord ids of the plan tasks that added some. */
  private readonly added = new Map<number, string[]>();
  private readonly dynamic = new Map<string, TaskFinal>();
  private readonly success: TaskFinal = { state: 'SUCCESS', result: null, added: undefined as never };
  private readonly failure: TaskFinal = { state: 'FAILURE', error: undefined as never };
  /** Finals stored that are FAILURE or REVOKED (`FinalLookup.failed`). */
  private failures = 0;

  constructor(private readonly plan: RunPlan) {
    const n = plan.tasks.length;
    this.state = new Uint8Array(n);
    this.results = new Array<Json | undefined>(n).fill(undefined);
    this.lookup.failed = () => this.failures;
  }

  /** Forgets every final (another run of the same plan reuses the store). */
  reset(): void {
    this.state.fill(0);
    this.results.fill(undefined);
    this.errors?.fill(undefined);
    this.added.clear();
    this.dynamic.clear();
    this.failures = 0;
  }

  /** Stores what `StepOut.final` says (plan index `task`, or -1 for a task known by id only). */
  set(
    taskId: string,
    task: number,
    state: TaskFinal['state'],
    result: Json | undefined,
    error: TaskError | undefined,
    added: string[] | undefined,
  ): void {
    const i = task >= 0 ? task : taskIndex(this.plan).get(taskId);
    if (i === undefined) {
      const final: TaskFinal =
        state !== 'SUCCESS'
          ? { state, error: error as TaskError }
          : added !== undefined
            ? { state, result: result as Json, added }
            : { state, result: result as Json };
      const before = this.dynamic.get(taskId);
      if (before !== undefined && before.state !== 'SUCCESS') this.failures -= 1;
      if (state !== 'SUCCESS') this.failures += 1;
      this.dynamic.set(taskId, final);
      return;
    }
    if ((this.state[i] as number) >= 2) this.failures -= 1;
    if (state !== 'SUCCESS') this.failures += 1;
    this.state[i] = code(state);
    this.results[i] = result;
    if (error !== undefined) {
      if (this.errors === undefined)
        this.errors = new Array<TaskError | undefined>(this.state.length).fill(undefined);
      this.errors[i] = error;
    } else if (this.errors !== undefined) this.errors[i] = undefined;
    if (added !== undefined) this.added.set(i, added);
    else if (this.added.size > 0) this.added.delete(i);
  }

  /** The core's `FinalLookup`: `hint` is the plan index when the core knows it. */
  readonly lookup: FinalLookup = (id: string, hint?: number): TaskFinal | undefined => {
    const i = hint ?? taskIndex(this.plan).get(id);
    if (i === undefined) return this.dynamic.get(id);
    const s = this.state[i] as number;
    if (s === 0) return undefined;
    if (s === 1) {
      const f = this.success as { result?: Json; added?: string[] };
      f.result = this.results[i] as Json;
      f.added = (this.added.size > 0 ? this.added.get(i) : undefined) as string[];
      return this.success;
    }
    const f = this.failure as { state: TaskFinal['state']; error?: TaskError };
    f.state = STATES[s] as TaskFinal['state'];
    f.error = this.errors?.[i] as TaskError;
    return this.failure;
  };
}
