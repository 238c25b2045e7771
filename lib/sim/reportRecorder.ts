/**
 * The run report (SPEC 2.3) recorded by the simulator as it runs, from the events its core answers with,
 * into per-task records (`TaskRecords`, taskRecords.ts): the same report as `toReport(reduceRunAll(trace))`, byte for byte
 * (tests/sim/reportRecorder.test.ts), without keeping the trace, without a 19-field view object per
 * task and without looking every event's task up by id.
 *
 * Why not the generic reducer: folding 300,000 events of a 100,000-task run into live view objects
 * keeps 100,000 old-generation objects pointing at young ones (every attempt writes `running`,
 * `history`), which made the garbage collector the simulator's largest cost. Here the per-task state is
 * numbers in one buffer; the report's objects are made once, at the end (this file: which task an event
 * is about, names and ids, the report's objects).
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
import type { CeleryState, RunReport, TaskReport } from '../protocol/report';
import { taskIndex } from './loopParts';
import { FAILURE, RETRY, REVOKED, SUCCESS, TaskRecords } from './taskRecords';

const STATES: readonly CeleryState[] = ['PENDING', 'STARTED', 'RETRY', 'SUCCESS', 'FAILURE', 'REVOKED'];

export class ReportRecorder {
  /**
   * Per task, numbered by its plan index (a run-time task: after the plan's, its id in `otherIds`): its
   * record. A plan task's id is the plan's and its name the one it is announced with (`defaultName`)
   * unless `renamed`.
   */
  private readonly records: TaskRecords;
  /** Report order (`run.started` tasks, then `task.added`): the record of each announced task. */
  private order: Int32Array;
  private count = 0;
  private readonly otherIds = new Map<number, string>();
  private readonly ofOther = new Map<string, number>();
  private readonly renamed = new Map<number, string>();
  private readonly workerNames: string[] = [];
  private readonly workerIndex = new Map<string, number>();
  /** The last worker looked up (most attempts in a row run on the same few workers). */
  private lastWorker: string | undefined;
  private lastWorkerIndex = 0;
  private readonly observations: Json[] = [];
  private status: RunStatus | undefined;
  private result: Json | undefined;
  private error: TaskError | undefined;
  private finished: number | undefined;
  private at = 0;

  /** The plan's task ids (`planArrays`): the hint is checked without reading the task's object. */
  private readonly ids: readonly string[];
  private readonly planTasks: number;

  constructor(private readonly plan: RunPlan) {
    const n = plan.tasks.length;
    this.planTasks = n;
    this.ids = planArrays(plan).ids;
    this.records = new TaskRecords(n);
    this.order = new Int32Array(Math.max(1, n));
    // What `run.started` lists (it is left out of report-only runs, `EventLevel` `outcomes`), in plan
    // order, each under the name it is announced with (`defaultName`): `add` without its checks.
    const flags = planArrays(plan).flags;
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (((flags[i] as number) & F_CANVAS) === 0) this.records.hide(i);
      else this.order[k++] = i;
    }
    this.count = k;
  }

  /** Record of task `id` (-1: not announced); `hint` is the plan index the caller expects it to have (or -1). */
  private find(id: string, hint: number): number {
    const r = hint >= 0 && this.ids[hint] === id ? hint : (taskIndex(this.plan).get(id) ?? -1);
    if (r >= 0) return this.records.announced(r) ? r : -1;
    return this.ofOther.get(id) ?? -1;
  }

  private add(id: string, name: string, planIndex: number): void {
    let r = planIndex;
    if (r >= 0) {
      if (this.records.announced(r)) return;
    } else {
      if (this.ofOther.has(id)) return;
      r = this.planTasks + this.otherIds.size;
      this.ofOther.set(id, r);
      this.otherIds.set(r, id);
      this.records.reserve(r + 1);
    }
    this.records.announce(r);
    if (this.count === this.order.length) {
      const bigger = new Int32Array(this.order.length * 2);
      bigger.set(this.order);
      this.order = bigger;
    }
    this.order[this.count++] = r;
    if (name !== this.defaultName(r)) this.renamed.set(r, name);
  }

  /** The name a task is announced with: a plan task's `descriptorOf` name (Celery `shadow` first). */
  private defaultName(r: number): string | undefined {
    if (r >= this.planTasks) return undefined;
    const t = this.plan.tasks[r] as PlanTask;
    return t.options.shadow ?? t.name;
  }

  private idOf(r: number): string {
    return r < this.planTasks ? (this.ids[r] as string) : (this.otherIds.get(r) as string);
  }

  private nameOf(r: number): string {
    if (this.renamed.size > 0) {
      const name = this.renamed.get(r);
      if (name !== undefined) return name;
    }
    return this.defaultName(r) as string;
  }

  private rename(r: number, name: string): void {
    if (name === this.defaultName(r)) this.renamed.delete(r);
    else this.renamed.set(r, name);
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
    const r = this.find(id, hint);
    if (r >= 0) this.records.start(r, attempt, at, worker);
  }

  /**
   * A `task.succeeded` event, given as its fields (what the core's `StepOut.succeeded` says at
   * `EventLevel` `outcomes`: the simulator records a success without an event object).
   */
  succeeded(id: string, hint: number, attempt: number, at: number, result: Json, ignored: boolean): void {
    if (at > this.at) this.at = at;
    const r = this.find(id, hint);
    const records = this.records;
    if (r < 0 || records.state(r) === SUCCESS) return;
    records.closeAttempt(r, attempt, at, 'success', true);
    records.setState(r, SUCCESS);
    if (!ignored) records.setResult(r, result);
    records.setError(r, undefined);
    records.setFinishedAt(r, at);
  }

  /** Records the events of one core step; `hint` is the plan index of the task the step is about. */
  events(events: readonly UnsequencedRunEvent[], hint: number): void {
    for (const e of events) this.event(e, hint);
  }

  /** Records one event (what `reduceRun` does with it, for the fields the report shows). */
  event(e: UnsequencedRunEvent, hint: number): void {
    if (e.at > this.at) this.at = e.at;
    const records = this.records;
    switch (e.type) {
      case 'run.started':
        this.announce(e.tasks);
        return;
      case 'task.added':
        this.add(e.task.task_id, e.task.name, taskIndex(this.plan).get(e.task.task_id) ?? -1);
        return;
      case 'task.queued': {
        if (e.attempt === 1) return;
        const r = this.find(e.task_id, hint);
        if (r >= 0 && !records.final(r) && this.nameOf(r) !== e.name) this.rename(r, e.name);
        return;
      }
      case 'task.started':
        this.started(e.task_id, hint, e.attempt, e.at, e.worker);
        return;
      case 'task.retried': {
        const r = this.find(e.task_id, hint);
        if (r < 0 || records.final(r)) return;
        records.closeAttempt(r, e.attempt, e.at, 'retry', false, e.countdown_ms, e.error);
        records.setState(r, RETRY);
        records.setError(r, e.error);
        return;
      }
      case 'task.replaced': {
        const r = this.find(e.task_id, hint);
        if (r < 0 || records.final(r)) return;
        records.closeAttempt(r, e.attempt, e.at, 'success', false);
        this.rename(r, e.name);
        return;
      }
      case 'task.succeeded':
        this.succeeded(e.task_id, hint, e.attempt, e.at, e.result, e.ignored === true);
        return;
      case 'task.failed': {
        const r = this.find(e.task_id, hint);
        if (r < 0 || records.state(r) === SUCCESS) return;
        if (!e.marked) records.closeAttempt(r, e.attempt, e.at, 'failure', false, undefined, e.error);
        records.setState(r, FAILURE);
        records.setError(r, e.error);
        records.setFinishedAt(r, e.at);
        return;
      }
      case 'task.revoked': {
        const r = this.find(e.task_id, hint);
        if (r < 0 || records.state(r) === SUCCESS) return;
        records.setState(r, REVOKED);
        if (e.error !== undefined) records.setError(r, e.error);
        records.setFinishedAt(r, e.at);
        const running = records.runningAttempt(r);
        if (running !== 0) records.closeAttempt(r, running, e.at, 'failure', false);
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

  private task(r: number): TaskReport {
    const records = this.records;
    const id = this.idOf(r);
    const name = this.nameOf(r);
    const s = records.state(r);
    const state = STATES[s] as CeleryState;
    const result = records.result(r);
    const started = records.startedAt(r);
    const finished = records.finishedAt(r);
    const w = records.worker(r);
    const worker = w === 0 ? undefined : this.workerNames[w - 1];
    const attempts = records.attempts(r);
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
        history: records.history(r),
      };
    // Properties assigned in SPEC 2.3 order (as toReport does).
    const out = { id, name, state } as TaskReport;
    if (s === SUCCESS && result !== undefined) out.result = result;
    const error = records.error(r);
    if (s !== SUCCESS && error !== undefined) out.error = error;
    out.attempts = attempts;
    if (!Number.isNaN(started)) out.started_at = started;
    if (!Number.isNaN(finished)) out.finished_at = finished;
    if (worker !== undefined) out.worker = worker;
    out.history = records.history(r);
    return out;
  }

  /** The SPEC 2.3 report of what was recorded (`toReport(reduceRunAll(trace))` of the same run). */
  report(): RunReport {
    const tasks: TaskReport[] = [];
    for (let k = 0; k < this.count; k++) tasks.push(this.task(this.order[k] as number));
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
