/**
 * The run report (SPEC 2.3) recorded by the simulator as it runs, from the events its core answers with,
 * into per-task typed arrays: the same report as `toReport(reduceRunAll(trace))`, byte for byte
 * (tests/sim/reportRecorder.test.ts), without keeping the trace, without a 19-field view object per
 * task and without looking every event's task up by id.
 *
 * Why not the generic reducer: folding 300,000 events of a 100,000-task run into live view objects
 * keeps 100,000 old-generation objects pointing at young ones (every attempt writes `running`,
 * `history`), which made the garbage collector the simulator's largest cost. Here the per-task state is
 * numbers in typed arrays; the report's objects are made once, at the end.
 *
 * Only what the report shows is recorded (no `queued`, `eta_ms`, args). The plan's canvas tasks are
 * announced when the recorder is made (what `run.started` lists), so it also records runs whose core
 * builds only the events a report reads (`EventLevel` `outcomes`): the first delivery of a task
 * (attempt 1) is queued under the name it is announced with, so only later `task.queued` events rename.
 */
import type { Json } from '../canvas/model';
import { F_CANVAS, planArrays } from '../engine/planArrays';
import type { PlanTask, RunPlan } from '../engine/types';
import type { RunStatus, TaskDescriptor, TaskError, UnsequencedRunEvent } from '../protocol/events';
import type { AttemptRecord, CeleryState, RunReport, TaskReport } from '../protocol/report';
import { filled, taskIndex } from './loopParts';

const STATES: readonly CeleryState[] = ['PENDING', 'STARTED', 'RETRY', 'SUCCESS', 'FAILURE', 'REVOKED'];
const STARTED = 1;
const RETRY = 2;
const SUCCESS = 3;
const FAILURE = 4;
const REVOKED = 5;
/** History kinds: none, one plain success record in the typed arrays, records in `records`. */
const H_NONE = 0;
const H_ONE = 1;
const H_LIST = 2;

export class ReportRecorder {
  /** Tasks announced so far. */
  private count = 0;
  /**
   * Per task, in report order (`run.started` tasks, then `task.added`), sized for the plan's tasks: its
   * plan index (-1: a run-time task, whose id and name are in `otherIds`/`otherNames`). A plan task's id
   * is the plan's and its name the one it is announced with (`descriptorOf`) unless `renamed`.
   */
  private planAt = new Int32Array(0);
  private readonly otherIds = new Map<number, string>();
  private readonly renamed = new Map<number, string>();
  private state = new Uint8Array(0);
  private attempts = new Int32Array(0);
  /** The running attempt (0: none) and when it started. */
  private runAttempt = new Int32Array(0);
  private runStart = new Float64Array(0);
  /** NaN: not set. */
  private startedAt = new Float64Array(0);
  private finishedAt = new Float64Array(0);
  /** The worker of the last attempt: 1 + its index in `workerNames` (0: none). */
  private worker = new Int32Array(0);
  private readonly workerNames: string[] = [];
  private readonly workerIndex = new Map<string, number>();
  /** The last worker looked up (most attempts in a row run on the same few workers). */
  private lastWorker: string | undefined;
  private lastWorkerIndex = 0;
  private readonly results: Array<Json | undefined>;
  /** Made on the first task that has one (most runs of big canvases have none). */
  private errors: Array<TaskError | undefined> | undefined;
  private hist = new Uint8Array(0);
  /** The one plain success record of `H_ONE` tasks. */
  private h1Attempt = new Int32Array(0);
  private h1Start = new Float64Array(0);
  private h1End = new Float64Array(0);
  private records: Array<AttemptRecord[] | undefined> | undefined;
  /** Plan task index → report position (-1: not announced yet); other ids (run-time tasks) by id. */
  private readonly ofPlan: Int32Array;
  private readonly ofOther = new Map<string, number>();
  private readonly observations: Json[] = [];
  private status: RunStatus | undefined;
  private result: Json | undefined;
  private error: TaskError | undefined;
  private finished: number | undefined;
  private at = 0;

  /** The plan's task ids (`planArrays`): the hint is checked without reading the task's object. */
  private readonly ids: readonly string[];

  constructor(private readonly plan: RunPlan) {
    const n = plan.tasks.length;
    this.ids = planArrays(plan).ids;
    this.ofPlan = new Int32Array(n).fill(-1);
    // The one per-task list of values (a typed array cannot hold them); the others are made on demand.
    this.results = filled<Json | undefined>(n, undefined);
    this.reserve(Math.max(1, n));
    // What `run.started` lists (it is left out of report-only runs, `EventLevel` `outcomes`), in plan
    // order, each under the name it is announced with (`defaultName`): `add` without its checks.
    let k = 0;
    const flags = planArrays(plan).flags;
    for (let i = 0; i < n; i++) {
      if (((flags[i] as number) & F_CANVAS) === 0) continue;
      this.ofPlan[i] = k;
      this.planAt[k] = i;
      k += 1;
    }
    this.count = k;
  }

  /** Report position of task `id`; `hint` is the plan index the caller expects it to have (or -1). */
  private find(id: string, hint: number): number {
    if (hint >= 0 && this.ids[hint] === id) return this.ofPlan[hint] as number;
    const i = taskIndex(this.plan).get(id);
    if (i !== undefined) return this.ofPlan[i] as number;
    return this.ofOther.get(id) ?? -1;
  }

  private add(id: string, name: string, planIndex: number): void {
    const known = planIndex >= 0 ? (this.ofPlan[planIndex] as number) : (this.ofOther.get(id) ?? -1);
    if (known >= 0) return;
    const k = this.count++;
    if (planIndex >= 0) this.ofPlan[planIndex] = k;
    else this.ofOther.set(id, k);
    if (k >= this.state.length) this.reserve(k + 1);
    if (k >= this.results.length) {
      // A run-time task beyond the plan's size (add_to_chord).
      this.results.push(undefined);
      this.errors?.push(undefined);
      this.records?.push(undefined);
    }
    this.planAt[k] = planIndex;
    if (planIndex < 0) this.otherIds.set(k, id);
    if (name !== this.defaultName(k)) this.renamed.set(k, name);
  }

  /** The name a task is announced with: a plan task's `descriptorOf` name (Celery `shadow` first). */
  private defaultName(k: number): string | undefined {
    const i = this.planAt[k] as number;
    if (i < 0) return undefined;
    const t = this.plan.tasks[i] as PlanTask;
    return t.options.shadow ?? t.name;
  }

  private idOf(k: number): string {
    const i = this.planAt[k] as number;
    return i >= 0 ? (this.plan.tasks[i] as PlanTask).id : (this.otherIds.get(k) as string);
  }

  private nameOf(k: number): string {
    if (this.renamed.size > 0) {
      const name = this.renamed.get(k);
      if (name !== undefined) return name;
    }
    return this.defaultName(k) as string;
  }

  private rename(k: number, name: string): void {
    if (name === this.defaultName(k)) this.renamed.delete(k);
    else this.renamed.set(k, name);
  }

  private setError(k: number, error: TaskError | undefined): void {
    if (this.errors === undefined) {
      if (error === undefined) return;
      this.errors = filled<TaskError | undefined>(this.results.length, undefined);
    }
    this.errors[k] = error;
  }

  private recordsOf(): Array<AttemptRecord[] | undefined> {
    if (this.records === undefined)
      this.records = filled<AttemptRecord[] | undefined>(this.results.length, undefined);
    return this.records;
  }

  /**
   * Sizes the typed arrays for `n` tasks: every plan task at first (one allocation each), doubling
   * only when run-time tasks (add_to_chord) go beyond.
   */
  private reserve(n: number): void {
    const size = Math.max(n, this.state.length * 2);
    const more = <T extends Float64Array | Int32Array | Uint8Array>(a: T, b: T, fill: number): T => {
      b.set(a);
      if (fill !== 0) b.fill(fill, a.length);
      return b;
    };
    this.planAt = more(this.planAt, new Int32Array(size), -1);
    this.worker = more(this.worker, new Int32Array(size), 0);
    this.state = more(this.state, new Uint8Array(size), 0);
    this.attempts = more(this.attempts, new Int32Array(size), 0);
    this.runAttempt = more(this.runAttempt, new Int32Array(size), 0);
    this.runStart = more(this.runStart, new Float64Array(size), 0);
    this.startedAt = more(this.startedAt, new Float64Array(size), Number.NaN);
    this.finishedAt = more(this.finishedAt, new Float64Array(size), Number.NaN);
    this.hist = more(this.hist, new Uint8Array(size), 0);
    this.h1Attempt = more(this.h1Attempt, new Int32Array(size), 0);
    this.h1Start = more(this.h1Start, new Float64Array(size), 0);
    this.h1End = more(this.h1End, new Float64Array(size), 0);
  }

  /** `run.started`: the canvas tasks, in plan order (their plan indexes are known without lookups). */
  private announce(tasks: readonly TaskDescriptor[]): void {
    const plan = this.plan.tasks;
    let p = 0;
    for (const d of tasks) {
      while (p < plan.length && (plan[p] as PlanTask).id !== d.task_id) p++;
      if (p < plan.length) this.add(d.task_id, d.name, p++);
      else this.add(d.task_id, d.name, taskIndex(this.plan).get(d.task_id) ?? -1);
    }
  }

  private final(k: number): boolean {
    return (this.state[k] as number) >= SUCCESS;
  }

  private hasAttempt(k: number, attempt: number): boolean {
    const h = this.hist[k];
    if (h === H_ONE) return this.h1Attempt[k] === attempt;
    if (h === H_LIST)
      for (const r of this.recordsOf()[k] as AttemptRecord[]) if (r.attempt === attempt) return true;
    return false;
  }

  private closeAttempt(
    k: number,
    attempt: number,
    at: number,
    outcome: AttemptRecord['outcome'],
    countdown?: number,
    error?: TaskError,
  ): void {
    if (this.hasAttempt(k, attempt)) return;
    const running = this.runAttempt[k] === attempt;
    const started = running ? (this.runStart[k] as number) : at;
    if (running) this.runAttempt[k] = 0;
    const h = this.hist[k];
    if (h === H_NONE && outcome === 'success' && countdown === undefined && error === undefined) {
      this.hist[k] = H_ONE;
      this.h1Attempt[k] = attempt;
      this.h1Start[k] = started;
      this.h1End[k] = at;
      return;
    }
    const record: AttemptRecord = { attempt, started_at: started, finished_at: at, outcome };
    if (countdown !== undefined) record.countdown_ms = countdown;
    if (error !== undefined) record.error = error;
    const records = this.recordsOf();
    if (h === H_LIST) (records[k] as AttemptRecord[]).push(record);
    else records[k] = h === H_ONE ? [this.firstRecord(k), record] : [record];
    this.hist[k] = H_LIST;
  }

  private firstRecord(k: number): AttemptRecord {
    return {
      attempt: this.h1Attempt[k] as number,
      started_at: this.h1Start[k] as number,
      finished_at: this.h1End[k] as number,
      outcome: 'success',
    };
  }

  /** An attempt of the task at plan index `hint` (or id `id`) starts (the loop's `task.started`). */
  started(id: string, hint: number, attempt: number, at: number, worker: string): void {
    if (worker !== this.lastWorker) {
      this.lastWorker = worker;
      this.lastWorkerIndex = this.workerId(worker);
    }
    this.startedOn(id, hint, attempt, at, this.lastWorkerIndex);
  }

  /**
   * The recorder's number for worker `name` (what `startedOn` takes): an interpreter that knows its
   * workers asks once per worker instead of naming one per attempt.
   */
  workerId(name: string): number {
    let w = this.workerIndex.get(name);
    if (w === undefined) {
      this.workerNames.push(name);
      w = this.workerNames.length;
      this.workerIndex.set(name, w);
    }
    return w;
  }

  /** `started` on the worker numbered `worker` (`workerId`). */
  startedOn(id: string, hint: number, attempt: number, at: number, worker: number): void {
    if (at > this.at) this.at = at;
    const k = this.find(id, hint);
    if (k < 0 || this.final(k)) return;
    // A redelivered message re-announces the same attempt: keep the first.
    if (this.runAttempt[k] === attempt || this.hasAttempt(k, attempt)) return;
    this.state[k] = STARTED;
    this.attempts[k] = (this.attempts[k] as number) + 1;
    this.runAttempt[k] = attempt;
    this.runStart[k] = at;
    this.worker[k] = worker;
    if (Number.isNaN(this.startedAt[k] as number)) this.startedAt[k] = at;
  }

  /**
   * A `task.succeeded` event, given as its fields (what the core's `StepOut.succeeded` says at
   * `EventLevel` `outcomes`: the simulator records a success without an event object).
   */
  succeeded(id: string, hint: number, attempt: number, at: number, result: Json, ignored: boolean): void {
    if (at > this.at) this.at = at;
    const k = this.find(id, hint);
    if (k < 0 || this.state[k] === SUCCESS) return;
    this.closeAttempt(k, attempt, at, 'success');
    this.state[k] = SUCCESS;
    if (!ignored) this.results[k] = result;
    this.setError(k, undefined);
    this.finishedAt[k] = at;
  }

  /** Records the events of one core step; `hint` is the plan index of the task the step is about. */
  events(events: readonly UnsequencedRunEvent[], hint: number): void {
    for (const e of events) this.event(e, hint);
  }

  /** Records one event (what `reduceRun` does with it, for the fields the report shows). */
  event(e: UnsequencedRunEvent, hint: number): void {
    if (e.at > this.at) this.at = e.at;
    switch (e.type) {
      case 'run.started':
        this.announce(e.tasks);
        return;
      case 'task.added':
        this.add(e.task.task_id, e.task.name, taskIndex(this.plan).get(e.task.task_id) ?? -1);
        return;
      case 'task.queued': {
        if (e.attempt === 1) return;
        const k = this.find(e.task_id, hint);
        if (k >= 0 && !this.final(k) && this.nameOf(k) !== e.name) this.rename(k, e.name);
        return;
      }
      case 'task.started':
        this.started(e.task_id, hint, e.attempt, e.at, e.worker);
        return;
      case 'task.retried': {
        const k = this.find(e.task_id, hint);
        if (k < 0 || this.final(k)) return;
        this.closeAttempt(k, e.attempt, e.at, 'retry', e.countdown_ms, e.error);
        this.state[k] = RETRY;
        this.setError(k, e.error);
        return;
      }
      case 'task.replaced': {
        const k = this.find(e.task_id, hint);
        if (k < 0 || this.final(k)) return;
        this.closeAttempt(k, e.attempt, e.at, 'success');
        this.rename(k, e.name);
        return;
      }
      case 'task.succeeded':
        this.succeeded(e.task_id, hint, e.attempt, e.at, e.result, e.ignored === true);
        return;
      case 'task.failed': {
        const k = this.find(e.task_id, hint);
        if (k < 0 || this.state[k] === SUCCESS) return;
        if (!e.marked) this.closeAttempt(k, e.attempt, e.at, 'failure', undefined, e.error);
        this.state[k] = FAILURE;
        this.setError(k, e.error);
        this.finishedAt[k] = e.at;
        return;
      }
      case 'task.revoked': {
        const k = this.find(e.task_id, hint);
        if (k < 0 || this.state[k] === SUCCESS) return;
        this.state[k] = REVOKED;
        if (e.error !== undefined) this.setError(k, e.error);
        this.finishedAt[k] = e.at;
        const running = this.runAttempt[k] as number;
        if (running !== 0) this.closeAttempt(k, running, e.at, 'failure');
        return;
      }
      case 'observation':
        this.observations.push(e.observation);
        return;
      case 'run.finished':
        this.status = e.status;
        this.finished = e.at;
        if (e.result !== undefined) this.result = e.result;
        if (e.error !== undefined) this.error = e.error;
        return;
      case 'chord.progress':
      case 'errback.called':
        return;
    }
  }

  private history(k: number): AttemptRecord[] {
    const h = this.hist[k];
    if (h === H_ONE) return [this.firstRecord(k)];
    return h === H_LIST ? (this.recordsOf()[k] as AttemptRecord[]) : [];
  }

  private task(k: number): TaskReport {
    const id = this.idOf(k);
    const name = this.nameOf(k);
    const s = this.state[k] as number;
    const state = STATES[s] as CeleryState;
    const result = this.results[k];
    const started = this.startedAt[k] as number;
    const finished = this.finishedAt[k] as number;
    const w = this.worker[k] as number;
    const worker = w === 0 ? undefined : this.workerNames[w - 1];
    const attempts = this.attempts[k] as number;
    if (
      s === SUCCESS &&
      result !== undefined &&
      !Number.isNaN(started) &&
      !Number.isNaN(finished) &&
      worker !== undefined
    )
      return {
        id,
        name,
        state,
        result,
        attempts,
        started_at: started,
        finished_at: finished,
        worker,
        history: this.history(k),
      };
    // Properties assigned in SPEC 2.3 order (as toReport does).
    const r = { id, name, state } as TaskReport;
    if (s === SUCCESS && result !== undefined) r.result = result;
    const error = this.errors?.[k];
    if (s !== SUCCESS && error !== undefined) r.error = error;
    r.attempts = attempts;
    if (!Number.isNaN(started)) r.started_at = started;
    if (!Number.isNaN(finished)) r.finished_at = finished;
    if (worker !== undefined) r.worker = worker;
    r.history = this.history(k);
    return r;
  }

  /** The SPEC 2.3 report of what was recorded (`toReport(reduceRunAll(trace))` of the same run). */
  report(): RunReport {
    const tasks: TaskReport[] = [];
    for (let k = 0; k < this.count; k++) tasks.push(this.task(k));
    const status = this.status ?? 'failure';
    const out: RunReport = { run_id: this.plan.run_id, status } as RunReport;
    if (status === 'success') out.result = this.result ?? null;
    else if (this.error !== undefined) out.error = this.error;
    else if (this.status === undefined)
      out.error = { type: 'RunNotFinished', message: 'The run has not finished yet.' };
    out.tasks = tasks;
    out.observations = this.observations;
    out.makespan_ms = this.finished ?? this.at;
    return out;
  }
}
