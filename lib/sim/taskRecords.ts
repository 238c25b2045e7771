/**
 * The report recorder's per-task state (`ReportRecorder`): one 40-byte record per task in one buffer —
 * three times as numbers (the running attempt's start, the first start, the finish) and four small
 * integers (attempts, the running attempt, the worker, the state with its history kind) — plus the
 * results in chunks and the rare errors and attempt lists in maps.
 *
 * Why one record rather than an array per field: a field per array is a cache miss per field when tasks
 * run out of plan order (a mixed canvas), and a dozen 100,000-entry arrays made per recorder were
 * most of its cost (fresh memory is slow to touch). Why results in chunks: one 100,000-entry list is
 * a large object, made slowly; chunks of 8,192 are ordinary ones, made when first written.
 *
 * Records are numbered by the caller (`ReportRecorder`: plan index, run-time tasks after the plan's).
 */
import type { Json } from '../canvas/model';
import type { TaskError } from '../protocol/events';
import type { AttemptRecord } from '../protocol/report';

/** Task states (`STATES` in reportRecorder.ts gives their names). */
export const STARTED = 1;
export const RETRY = 2;
export const SUCCESS = 3;
export const FAILURE = 4;
export const REVOKED = 5;

/**
 * History kinds: none; one plain success record kept in the record itself (its attempt in the
 * running-attempt slot, its start in the run-start slot, its end the finish: a task whose only record
 * is a final success never starts or closes another attempt); records in a list.
 */
const H_NONE = 0;
const H_ONE = 8;
const H_LIST = 16;
const STATE_BITS = 7;
const HIST_BITS = 24;
/**
 * The task is not announced yet (`run.started` or `task.added`): only announced records are read. Set
 * by the caller on the plan tasks it does not announce at once (`hide`), so a record starts as zeros —
 * announced, PENDING, no attempt, no time — and a new recorder writes nothing per canvas task.
 */
const HIDDEN = 32;
/** The first start and the final time are set (the slots hold no NaN to be filled first). */
const HAS_START = 64;
const HAS_FINISH = 128;

/** Float64 slots of a record (5 of 8 bytes), and its Int32 slots (counted in 4-byte words). */
const STRIDE = 5;
const RUN_START = 0;
const STARTED_AT = 1;
const FINISHED_AT = 2;
const ATTEMPTS = 6;
const RUN_ATTEMPT = 7;
const WORKER = 8;
const BITS = 9;

const CHUNK_BITS = 13;
const CHUNK = 1 << CHUNK_BITS;

export class TaskRecords {
  private f = new Float64Array(0);
  private w = new Int32Array(0);
  private capacity = 0;
  private readonly results: Array<Array<Json | undefined> | undefined> = [];
  /** Most runs of big canvases have no error nor attempt list. */
  private readonly errors = new Map<number, TaskError>();
  private readonly lists = new Map<number, AttemptRecord[]>();

  constructor(capacity: number) {
    this.reserve(Math.max(1, capacity));
  }

  /** Room for records `0 … n - 1` (doubling beyond the first size: run-time tasks are few). */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const size = Math.max(n, this.capacity * 2);
    const f = new Float64Array(size * STRIDE);
    f.set(this.f);
    this.f = f;
    this.w = new Int32Array(f.buffer);
    this.capacity = size;
  }

  /** Record `r` (still zeros) is not announced yet. */
  hide(r: number): void {
    this.w[r * 2 * STRIDE + BITS] = HIDDEN;
  }

  /** Record `r` is announced (a hidden one was never written: it is zeros but for the bit). */
  announce(r: number): void {
    const i = r * 2 * STRIDE + BITS;
    this.w[i] = (this.w[i] as number) & ~HIDDEN;
  }

  announced(r: number): boolean {
    return ((this.w[r * 2 * STRIDE + BITS] as number) & HIDDEN) === 0;
  }

  state(r: number): number {
    return (this.w[r * 2 * STRIDE + BITS] as number) & STATE_BITS;
  }

  setState(r: number, state: number): void {
    const i = r * 2 * STRIDE + BITS;
    this.w[i] = ((this.w[i] as number) & ~STATE_BITS) | state;
  }

  /** A final state (SUCCESS, FAILURE, REVOKED). */
  final(r: number): boolean {
    return this.state(r) >= SUCCESS;
  }

  attempts(r: number): number {
    return this.w[r * 2 * STRIDE + ATTEMPTS] as number;
  }

  /** 1 + the worker's index among the recorder's workers (0: none). */
  worker(r: number): number {
    return this.w[r * 2 * STRIDE + WORKER] as number;
  }

  /** When the first attempt started (NaN: never). */
  startedAt(r: number): number {
    return ((this.w[r * 2 * STRIDE + BITS] as number) & HAS_START) === 0
      ? Number.NaN
      : (this.f[r * STRIDE + STARTED_AT] as number);
  }

  /** When it reached its final state (NaN: not yet). */
  finishedAt(r: number): number {
    return ((this.w[r * 2 * STRIDE + BITS] as number) & HAS_FINISH) === 0
      ? Number.NaN
      : (this.f[r * STRIDE + FINISHED_AT] as number);
  }

  setFinishedAt(r: number, at: number): void {
    this.f[r * STRIDE + FINISHED_AT] = at;
    const i = r * 2 * STRIDE + BITS;
    this.w[i] = (this.w[i] as number) | HAS_FINISH;
  }

  /** The attempt running now (0: none; a task with one success record: that attempt). */
  runningAttempt(r: number): number {
    return this.w[r * 2 * STRIDE + RUN_ATTEMPT] as number;
  }

  result(r: number): Json | undefined {
    return this.results[r >> CHUNK_BITS]?.[r & (CHUNK - 1)];
  }

  setResult(r: number, value: Json): void {
    const c = r >> CHUNK_BITS;
    let chunk = this.results[c];
    if (chunk === undefined) {
      while (this.results.length < c) this.results.push(undefined);
      chunk = new Array<Json | undefined>(CHUNK);
      this.results[c] = chunk;
    }
    chunk[r & (CHUNK - 1)] = value;
  }

  error(r: number): TaskError | undefined {
    return this.errors.size === 0 ? undefined : this.errors.get(r);
  }

  setError(r: number, error: TaskError | undefined): void {
    if (error !== undefined) this.errors.set(r, error);
    else if (this.errors.size > 0) this.errors.delete(r);
  }

  /**
   * Attempt `attempt` starts at `at` on `worker`, unless the task is final or this attempt was seen (a
   * redelivered message re-announces the same attempt: keep the first).
   */
  start(r: number, attempt: number, at: number, worker: number): void {
    const w = r * 2 * STRIDE;
    const bits = this.w[w + BITS] as number;
    if ((bits & STATE_BITS) >= SUCCESS) return;
    if (this.w[w + RUN_ATTEMPT] === attempt || this.hasAttempt(r, attempt)) return;
    this.w[w + BITS] = (bits & ~STATE_BITS) | STARTED | HAS_START;
    this.w[w + ATTEMPTS] = (this.w[w + ATTEMPTS] as number) + 1;
    this.w[w + RUN_ATTEMPT] = attempt;
    this.w[w + WORKER] = worker;
    const f = r * STRIDE;
    this.f[f + RUN_START] = at;
    if ((bits & HAS_START) === 0) this.f[f + STARTED_AT] = at;
  }

  /**
   * Attempt `attempt` ended at `at` with `outcome` (kept once per attempt). `finalSuccess`: the task's
   * final success, after which nothing is recorded for it again — its one plain record stays in the
   * record itself.
   */
  closeAttempt(
    r: number,
    attempt: number,
    at: number,
    outcome: AttemptRecord['outcome'],
    finalSuccess: boolean,
    countdown?: number,
    error?: TaskError,
  ): void {
    if (this.hasAttempt(r, attempt)) return;
    const w = r * 2 * STRIDE;
    const f = r * STRIDE;
    const running = this.w[w + RUN_ATTEMPT] === attempt;
    const started = running ? (this.f[f + RUN_START] as number) : at;
    if (running) this.w[w + RUN_ATTEMPT] = 0;
    const bits = this.w[w + BITS] as number;
    const h = bits & HIST_BITS;
    if (
      h === H_NONE &&
      finalSuccess &&
      outcome === 'success' &&
      countdown === undefined &&
      error === undefined
    ) {
      this.w[w + BITS] = (bits & ~HIST_BITS) | H_ONE;
      this.w[w + RUN_ATTEMPT] = attempt;
      this.f[f + RUN_START] = started;
      this.f[f + FINISHED_AT] = at;
      return;
    }
    const record: AttemptRecord = { attempt, started_at: started, finished_at: at, outcome };
    if (countdown !== undefined) record.countdown_ms = countdown;
    if (error !== undefined) record.error = error;
    if (h === H_LIST) (this.lists.get(r) as AttemptRecord[]).push(record);
    else this.lists.set(r, h === H_ONE ? [this.oneRecord(r), record] : [record]);
    this.w[w + BITS] = (bits & ~HIST_BITS) | H_LIST;
  }

  private hasAttempt(r: number, attempt: number): boolean {
    const w = r * 2 * STRIDE;
    const h = (this.w[w + BITS] as number) & HIST_BITS;
    if (h === H_ONE) return this.w[w + RUN_ATTEMPT] === attempt;
    if (h === H_LIST)
      for (const rec of this.lists.get(r) as AttemptRecord[]) if (rec.attempt === attempt) return true;
    return false;
  }

  private oneRecord(r: number): AttemptRecord {
    return {
      attempt: this.w[r * 2 * STRIDE + RUN_ATTEMPT] as number,
      started_at: this.f[r * STRIDE + RUN_START] as number,
      finished_at: this.f[r * STRIDE + FINISHED_AT] as number,
      outcome: 'success',
    };
  }

  /** The task's attempt records (new lists: the report's own). */
  history(r: number): AttemptRecord[] {
    const h = (this.w[r * 2 * STRIDE + BITS] as number) & HIST_BITS;
    if (h === H_ONE) return [this.oneRecord(r)];
    return h === H_LIST ? (this.lists.get(r) as AttemptRecord[]) : [];
  }
}
