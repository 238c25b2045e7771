/**
 * The simulator's side of the core's `StepOut`: what an answer says to do once the core has returned
 * (chord reports, dispatches), kept as numbers in one list instead of a `Step` per transition, and
 * applied in a `Step`'s order (`settle`). Events, finals and the run's end are the loop's own
 * (`Simulation` in loop.ts), as is what a report or a dispatch does.
 */
import type { Json, JsonObject } from '../canvas/model';
import type { StepOut } from '../engine/stepOut';
import type { TaskFinal, TaskMessage } from '../engine/types';
import type { RunStatus, TaskError, UnsequencedRunEvent } from '../protocol/events';
import type { MessageTable } from './messageTable';

/** Kinds of the entries a step leaves to apply once the core has answered (`pending`). */
const REPORT = 0;
const MESSAGE = 1;
const OPEN = 2;
const CLOSE = 3;

export abstract class StepAnswers implements StepOut {
  /**
   * What the core's answers leave to apply once the core returns (reports, then dispatches, in the order
   * of a `Step`), three numbers an entry; a step applied inside another (a barrier released while
   * dispatching) uses the entries past its parent's and truncates back.
   */
  protected pending: Float64Array;
  protected pendingLength = 0;
  /** REPORT entries in `pending` (most steps have none: their pass is skipped). */
  private pendingReports = 0;
  /** The retry an attempt's answer asked for (the loop takes it after `settle`). */
  protected retryMessage: TaskMessage | undefined;
  protected retryCountdown = 0;

  constructor(
    pending: Float64Array,
    protected readonly messages: MessageTable,
  ) {
    this.pending = pending;
  }

  abstract event(e: UnsequencedRunEvent): void;
  abstract final(
    taskId: string,
    task: number,
    state: TaskFinal['state'],
    result: Json | undefined,
    error: TaskError | undefined,
    added: string[] | undefined,
  ): void;
  abstract finish(status: RunStatus): void;
  /** A chord report (`grow` NaN: one more done). */
  protected abstract countReport(barrier: number, grow: number): void;
  /** Message handle `h` is dispatched after `delay` ms. */
  protected abstract dispatch(h: number, delay: number): void;
  /** Plan barrier `barrier` is dispatched; its initial children follow until `close`. */
  protected abstract open(barrier: number): void;
  protected abstract close(): void;

  report(barrier: number, grow: number | undefined): void {
    this.pendingReports += 1;
    this.later(REPORT, barrier, grow ?? Number.NaN);
  }

  planMessage(
    task: number,
    args: Json[],
    kwargs: JsonObject,
    delay_ms: number,
    expires_at: number | undefined,
    priority: number | undefined,
  ): void {
    this.later(MESSAGE, this.messages.planMessage(task, args, kwargs, expires_at, priority), delay_ms);
  }

  message(message: TaskMessage, delay_ms: number): void {
    this.later(MESSAGE, this.messages.intern(message), delay_ms);
  }

  openBarrier(barrier: number): void {
    this.later(OPEN, barrier, 0);
  }

  closeBarrier(): void {
    this.later(CLOSE, 0, 0);
  }

  retry(message: TaskMessage, countdown_ms: number): void {
    this.retryMessage = message;
    this.retryCountdown = countdown_ms;
  }

  protected later(kind: number, a: number, b: number): void {
    let p = this.pending;
    const at = this.pendingLength;
    if (at + 3 > p.length) {
      const bigger = new Float64Array(p.length * 2);
      bigger.set(p);
      this.pending = bigger;
      p = bigger;
    }
    p[at] = kind;
    p[at + 1] = a;
    p[at + 2] = b;
    this.pendingLength = at + 3;
  }

  /**
   * Applies what the core's answer left from `base` on, in a `Step`'s order: the chord reports (their
   * `chord.progress` after the step's events), then the dispatches.
   */
  protected settle(base: number): void {
    const end = this.pendingLength;
    if (this.pendingReports > 0) {
      for (let i = base; i < end; i += 3)
        if (this.pending[i] === REPORT) {
          this.pendingReports -= 1;
          this.countReport(this.pending[i + 1] as number, this.pending[i + 2] as number);
        }
    }
    for (let i = base; i < end; i += 3) {
      // Re-read the list on every entry: a barrier released here appends (and may grow it).
      const kind = this.pending[i];
      if (kind === MESSAGE) this.dispatch(this.pending[i + 1] as number, this.pending[i + 2] as number);
      else if (kind === OPEN) this.open(this.pending[i + 1] as number);
      else if (kind === CLOSE) this.close();
    }
    this.pendingLength = base;
  }
}
