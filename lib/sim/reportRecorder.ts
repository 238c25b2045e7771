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
/** The fields of a task's record in `r` (see `reserve`). */
const F_STATE = 0;
const F_HIST = 1;
const F_RUN_ATTEMPT = 2;
const F_ATTEMPTS = 3;
const F_RUN_START = 4;
const F_STARTED_AT = 5;
const F_FINISHED_AT = 6;
const F_WORKER = 7;
const F_H1_ATTEMPT = 8;
const F_H1_START = 9;
const F_H1_END = 10;
const F_PLAN_AT = 11;
const STRIDE = 12;

export class ReportRecorder {
  /** Tasks announced so far. */
  private count = 0;
  /** Tasks the records have room for (the plan's, doubled when run-time tasks go beyond). */
  private capacity = 0;
  /**
   * Per task, in report order (`run.started` tasks, then `task.added`): one record of `STRIDE` numbers
   * (the fields one attempt touches sit together: one or two cache lines instead of a line in each of
   * twelve arrays). `F_PLAN_AT` is its plan index (-1: a run-time task, whose id is in `otherIds`); a
   * plan task's id is the plan's and its name the one it is announced with (`descriptorOf`) unless
   * `renamed`.
   */
  private r = new Float64Array(0);
  private readonly otherIds = new Map<number, string>();
  private readonly renamed = new Map<number, string>();
  private readonly workerNames: string[] = [];
  private readonly workerIndex = new Map<string, number>();
  /** The last worker looked up (most attempts in a row run on the same few workers). */
  private lastWorker: string | undefined;
  private lastWorkerIndex = 0;
  private readonly results: Array<Json | undefined>;
  /** Made on the first task that has one (most runs of big canvases have none). */
  private errors: Array<TaskError | undefined> | undefined;
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

  constructor(private readonly plan: RunPlan) {
    const n = plan.tasks.length;
    this.ofPlan = new Int32Array(n).fill(-1);
    // The one per-task list of values (a typed array cannot hold them); the others are made on demand.
    this.results = filled<Json | undefined>(n, undefined);
    this.reserve(Math.max(1, n));
    // What `run.started` lists (it is left out of report-only runs, `EventLevel` `outcomes`).
    for (let i = 0; i < n; i++) {
      const t = plan.tasks[i] as PlanTask;
      // descriptorOf's name: Celery `shadow` is what monitoring shows.
      if (t.origin === 'canvas') this.add(t.id, t.options.shadow ?? t.name, i);
    }
  }

  /** Report position of task `id`; `hint` is the plan index the caller expects it to have (or -1). */
  private find(id: string, hint: number): number {
    if (hint >= 0 && (this.plan.tasks[hint] as PlanTask).id === id) return this.ofPlan[hint] as number;
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
    if (k >= this.capacity) this.reserve(k + 1);
    if (k >= this.results.length) {
      // A run-time task beyond the plan's size (add_to_chord).
      this.results.push(undefined);
      this.errors?.push(undefined);
      this.records?.push(undefined);
    }
    this.r[k * STRIDE + F_PLAN_AT] = planIndex;
    if (planIndex < 0) this.otherIds.set(k, id);
    if (name !== this.defaultName(k)) this.renamed.set(k, name);
  }

  /** The name a task is announced with: a plan task's `descriptorOf` name (Celery `shadow` first). */
  private defaultName(k: number): string | undefined {
    const i = this.r[k * STRIDE + F_PLAN_AT] as number;
    if (i < 0) return undefined;
    const t = this.plan.tasks[i] as PlanTask;
    return t.options.shadow ?? t.name;
  }

  private idOf(k: number): string {
    const i = this.r[k * STRIDE + F_PLAN_AT] as number;
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
    const size = Math.max(n, this.capacity * 2);
    const r = new Float64Array(size * STRIDE);
    r.set(this.r);
    for (let k = this.capacity; k < size; k++) {
      const o = k * STRIDE;
      r[o + F_PLAN_AT] = -1;
      r[o + F_STARTED_AT] = Number.NaN;
      r[o + F_FINISHED_AT] = Number.NaN;
    }
    this.r = r;
    this.capacity = size;
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
    return (this.r[k * STRIDE + F_STATE] as number) >= SUCCESS;
  }

  private hasAttempt(k: number, attempt: number): boolean {
    const h = this.r[k * STRIDE + F_HIST];
    if (h === H_ONE) return this.r[k * STRIDE + F_H1_ATTEMPT] === attempt;
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
    const running = this.r[k * STRIDE + F_RUN_ATTEMPT] === attempt;
    const started = running ? (this.r[k * STRIDE + F_RUN_START] as number) : at;
    if (running) this.r[k * STRIDE + F_RUN_ATTEMPT] = 0;
    const h = this.r[k * STRIDE + F_HIST];
    if (h === H_NONE && outcome === 'success' && countdown === undefined && error === undefined) {
      this.r[k * STRIDE + F_HIST] = H_ONE;
      this.r[k * STRIDE + F_H1_ATTEMPT] = attempt;
      this.r[k * STRIDE + F_H1_START] = started;
      this.r[k * STRIDE + F_H1_END] = at;
      return;
    }
    const record: AttemptRecord = { attempt, started_at: started, finished_at: at, outcome };
    if (countdown !== undefined) record.countdown_ms = countdown;
    if (error !== undefined) record.error = error;
    const records = this.recordsOf();
    if (h === H_LIST) (records[k] as AttemptRecord[]).push(record);
    else records[k] = h === H_ONE ? [this.firstRecord(k), record] : [record];
    this.r[k * STRIDE + F_HIST] = H_LIST;
  }

  private firstRecord(k: number): AttemptRecord {
    return {
      attempt: this.r[k * STRIDE + F_H1_ATTEMPT] as number,
      started_at: this.r[k * STRIDE + F_H1_START] as number,
      finished_at: this.r[k * STRIDE + F_H1_END] as number,
      outcome: 'success',
    };
  }

  /** An attempt of the task at plan index `hint` (or id `id`) starts (the loop's `task.started`). */
  started(id: string, hint: number, attempt: number, at: number, worker: string): void {
    if (at > this.at) this.at = at;
    const k = this.find(id, hint);
    if (k < 0 || this.final(k)) return;
    // A redelivered message re-announces the same attempt: keep the first.
    if (this.r[k * STRIDE + F_RUN_ATTEMPT] === attempt || this.hasAttempt(k, attempt)) return;
    this.r[k * STRIDE + F_STATE] = STARTED;
    this.r[k * STRIDE + F_ATTEMPTS] = (this.r[k * STRIDE + F_ATTEMPTS] as number) + 1;
    this.r[k * STRIDE + F_RUN_ATTEMPT] = attempt;
    this.r[k * STRIDE + F_RUN_START] = at;
    if (worker !== this.lastWorker) {
      let w = this.workerIndex.get(worker);
      if (w === undefined) {
        this.workerNames.push(worker);
        w = this.workerNames.length;
        this.workerIndex.set(worker, w);
      }
      this.lastWorker = worker;
      this.lastWorkerIndex = w;
    }
    this.r[k * STRIDE + F_WORKER] = this.lastWorkerIndex;
    if (Number.isNaN(this.r[k * STRIDE + F_STARTED_AT] as number)) this.r[k * STRIDE + F_STARTED_AT] = at;
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
        this.r[k * STRIDE + F_STATE] = RETRY;
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
      case 'task.succeeded': {
        const k = this.find(e.task_id, hint);
        if (k < 0 || this.r[k * STRIDE + F_STATE] === SUCCESS) return;
        this.closeAttempt(k, e.attempt, e.at, 'success');
        this.r[k * STRIDE + F_STATE] = SUCCESS;
        if (e.ignored !== true) this.results[k] = e.result;
        this.setError(k, undefined);
        this.r[k * STRIDE + F_FINISHED_AT] = e.at;
        return;
      }
      case 'task.failed': {
        const k = this.find(e.task_id, hint);
        if (k < 0 || this.r[k * STRIDE + F_STATE] === SUCCESS) return;
        if (!e.marked) this.closeAttempt(k, e.attempt, e.at, 'failure', undefined, e.error);
        this.r[k * STRIDE + F_STATE] = FAILURE;
        this.setError(k, e.error);
        this.r[k * STRIDE + F_FINISHED_AT] = e.at;
        return;
      }
      case 'task.revoked': {
        const k = this.find(e.task_id, hint);
        if (k < 0 || this.r[k * STRIDE + F_STATE] === SUCCESS) return;
        this.r[k * STRIDE + F_STATE] = REVOKED;
        if (e.error !== undefined) this.setError(k, e.error);
        this.r[k * STRIDE + F_FINISHED_AT] = e.at;
        const running = this.r[k * STRIDE + F_RUN_ATTEMPT] as number;
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
    const h = this.r[k * STRIDE + F_HIST];
    if (h === H_ONE) return [this.firstRecord(k)];
    return h === H_LIST ? (this.recordsOf()[k] as AttemptRecord[]) : [];
  }

  private task(k: number): TaskReport {
    const id = this.idOf(k);
    const name = this.nameOf(k);
    const s = this.r[k * STRIDE + F_STATE] as number;
    const state = STATES[s] as CeleryState;
    const result = this.results[k];
    const started = this.r[k * STRIDE + F_STARTED_AT] as number;
    const finished = this.r[k * STRIDE + F_FINISHED_AT] as number;
    const w = this.r[k * STRIDE + F_WORKER] as number;
    const worker = w === 0 ? undefined : this.workerNames[w - 1];
    const attempts = this.r[k * STRIDE + F_ATTEMPTS] as number;
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
