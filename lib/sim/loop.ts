/**
 * The discrete-event loop: a virtual clock over a binary heap, N workers × concurrency slots taking
 * messages from one FIFO broker queue, countdowns as timed enqueues, barrier counters, and the modelled
 * model service. It interprets the semantic core (`lib/engine`) exactly like the cluster does: the core
 * decides every transition; the loop only keeps what it is told.
 *
 * Everything per task is a number in a typed array, indexed by plan task: messages are handles
 * (`MessageTable`), the heap holds numbers (`ActionHeap`), finals live in arrays (`FinalStore`), and
 * the core answers into the loop itself (`StepOut`) instead of building a `Step` per attempt — a
 * 100,000-task canvas has to run within a few times a bare event loop over the same graph.
 */
import type { Json } from '../canvas/model';
import {
  attemptOf,
  EXPIRED,
  isExpired,
  onAttemptFinishedInto,
  onBarrierReleasedInto,
  startRunInto,
} from '../engine/core';
import { barrierIndexOf } from '../engine/planIndex';
import type { AttemptOutcome, Env, PlanBarrier, RunPlan, TaskFinal, TaskMessage } from '../engine/types';
import type { RunEvent, RunStatus, TaskError, UnsequencedRunEvent } from '../protocol/events';
import type { ActionHeap } from './actionHeap';
import { CausalTrail } from './causalTrail';
import type { FinalStore } from './finalStore';
import type { IntQueue } from './intQueue';
import { type LoopOptions, type LoopResult, poolsOf, slotCount } from './loopOptions';
import { LoopScratch } from './loopScratch';
import { planView } from './planView';
import { messageQueue } from './pools';
import { PriorityMessages } from './priorityMessages';
import type { ReportRecorder } from './reportRecorder';
import { SlotAttempts } from './slotAttempts';
import { StepAnswers } from './stepAnswers';

export type { LoopOptions, LoopResult } from './loopOptions';

class Simulation extends StepAnswers {
  private readonly heap: ActionHeap;
  private readonly scratch: LoopScratch;
  private now = 0;
  readonly events: RunEvent[] = [];
  /** Where events go: `events`, or the caller's sink (streamed trace). */
  private readonly out: { push(e: RunEvent): unknown };
  private readonly trace: boolean;
  private eventSeq = 0;
  /** One broker queue (FIFO) and free-slot list per pool; a single pool when queues are not modelled. */
  private readonly fifos: IntQueue[];
  /** Messages with a Celery `priority`, per pool (taken after the FIFO's, see priorityMessages.ts). */
  private readonly prios: Array<PriorityMessages | undefined> = [];
  private readonly frees: number[][] = [];
  private readonly slotPool: number[] = [];
  private readonly poolOf: Map<string, number> | null;
  private readonly workerNames: string[] = [];
  /** Per slot: the recorder's number of its worker (0: not asked yet). */
  private readonly slotWorkerId: Int32Array;
  /** The attempt running in each slot: its message (handle and object) and outcome. */
  private readonly slotHandle: Int32Array;
  private readonly slotMsg: Array<TaskMessage | undefined>;
  private readonly slotOutcome: Array<AttemptOutcome | undefined>;
  /** What each attempt does and how long it takes. */
  private readonly attempts: SlotAttempts;
  private readonly finals: FinalStore;
  private readonly taskBarrier: Int32Array;
  private readonly barrierParent: Int32Array;
  /** Per plan barrier: dispatched and not released yet, messages outstanding, chord.progress counts. */
  private readonly live: Uint8Array;
  private readonly outstanding: Int32Array;
  private readonly done: Int32Array;
  private readonly total: Int32Array;
  /** Barriers whose initial children are being dispatched. */
  private readonly opened: number[] = [];
  /** The plan index of the task the core's current answer is about (-1: none): the recorder's hint. */
  private hint = -1;
  /** Critical-path bookkeeping (with the trace or the recorded report; Monte Carlo runs skip it). */
  private readonly trail: CausalTrail | undefined;
  retries = 0;
  status: RunStatus | undefined;
  makespan = 0;
  private readonly env: Env;
  private readonly recorder: ReportRecorder | undefined;

  private readonly plan: RunPlan;

  constructor(plan: RunPlan, opts: LoopOptions, scratch: LoopScratch) {
    super(scratch.pending, scratch.messages);
    this.plan = plan;
    const sink = opts.sink;
    this.out = sink === undefined ? this.events : { push: sink };
    this.trace = opts.trace;
    const pools = poolsOf(opts);
    this.poolOf = opts.pools ? new Map(opts.pools.map((p, i) => [p.queue, i])) : null;
    pools.forEach((pool, p) => {
      const workers = Math.max(1, pool.workers);
      const slots = workers * Math.max(1, pool.concurrency);
      const first = this.workerNames.length;
      const prefix = opts.pools ? `worker-${pool.queue}-` : 'worker-';
      // Interleave slots across workers so work spreads over the workers first.
      for (let i = 0; i < slots; i++) {
        this.workerNames.push(`${prefix}${(i % workers) + 1}`);
        this.slotPool.push(p);
      }
      const free: number[] = [];
      for (let i = slots - 1; i >= 0; i--) free.push(first + i);
      this.frees.push(free);
    });
    const slots = this.workerNames.length;
    this.slotWorkerId = new Int32Array(slots);
    this.scratch = scratch;
    this.heap = scratch.heap;
    this.fifos = scratch.fifos;
    this.slotHandle = scratch.slotHandle;
    this.slotMsg = new Array<TaskMessage | undefined>(slots).fill(undefined);
    this.slotOutcome = new Array<AttemptOutcome | undefined>(slots).fill(undefined);
    this.attempts = new SlotAttempts(plan, opts.models, opts.random, slots);
    this.finals = scratch.finals;
    const view = planView(plan);
    this.taskBarrier = view.taskBarrier;
    this.barrierParent = view.barrierParent;
    this.live = scratch.live;
    this.outstanding = scratch.outstanding;
    this.done = scratch.done;
    this.total = scratch.total;
    this.recorder = opts.recorder;
    const critical = opts.criticalPath ?? (opts.trace || opts.recorder !== undefined);
    this.trail = critical ? new CausalTrail(plan) : undefined;
    this.env = {
      now: 0,
      random: opts.random,
      worker: '',
      events: opts.trace ? 'all' : opts.recorder !== undefined ? 'outcomes' : 'none',
    };
  }

  // --- StepOut: what the core answers (events and finals kept at once; the rest once it returned) ---

  event(e: UnsequencedRunEvent): void {
    if (this.trace) {
      this.eventSeq += 1;
      (e as RunEvent).seq = this.eventSeq;
      this.out.push(e as RunEvent);
    }
    if (this.recorder !== undefined) this.recorder.event(e, this.hint);
  }

  /** A success at `outcomes` (the only level with a recorder and no trace): no event object. */
  succeeded(taskId: string, task: number, attempt: number, result: Json, ignored: boolean): void {
    (this.recorder as ReportRecorder).succeeded(taskId, task, attempt, this.now, result, ignored);
  }

  final(
    taskId: string,
    task: number,
    state: TaskFinal['state'],
    result: Json | undefined,
    error: TaskError | undefined,
    added: string[] | undefined,
  ): void {
    this.finals.set(taskId, task, state, result, error, added);
  }

  finish(status: RunStatus): void {
    this.status = status;
    this.makespan = this.now;
  }

  protected countReport(barrier: number, grow: number): void {
    if (this.live[barrier] === 0) return;
    if (Number.isNaN(grow)) this.done[barrier] = (this.done[barrier] as number) + 1;
    else this.total[barrier] = (this.total[barrier] as number) + grow;
    if (this.trace) {
      this.eventSeq += 1;
      this.out.push({
        run_id: this.plan.run_id,
        seq: this.eventSeq,
        at: this.now,
        type: 'chord.progress',
        chord_id: (this.plan.barriers[barrier] as PlanBarrier).path,
        done: this.done[barrier] as number,
        total: this.total[barrier] as number,
      });
    }
  }

  /** The barrier index message `h` is dispatched under (-1: none known). */
  private barrierOf(h: number, msg?: TaskMessage): number {
    if (h >= 0) return this.taskBarrier[h] as number;
    return barrierIndexOf(this.plan, (msg ?? this.messages.message(h)).barrier) ?? -1;
  }

  protected dispatch(h: number, delay: number): void {
    const parent = this.barrierOf(h);
    if (parent >= 0 && this.live[parent] === 1)
      this.outstanding[parent] = (this.outstanding[parent] as number) + 1;
    const trail = this.trail;
    if (trail !== undefined) {
      if (h >= 0) trail.dispatchedTask(h);
      else trail.dispatched(this.messages.message(h));
    }
    if (delay > 0) this.heap.push(this.now + delay, h, -1);
    else this.enqueue(h);
  }

  protected open(barrier: number): void {
    const parent = this.barrierParent[barrier] as number;
    if (parent >= 0 && this.live[parent] === 1)
      this.outstanding[parent] = (this.outstanding[parent] as number) + 1;
    this.live[barrier] = 1;
    this.outstanding[barrier] = 0;
    this.done[barrier] = 0;
    this.total[barrier] = (this.plan.barriers[barrier] as PlanBarrier).total;
    this.opened.push(barrier);
  }

  protected close(): void {
    const barrier = this.opened.pop() as number;
    if (this.live[barrier] === 1 && this.outstanding[barrier] === 0) this.release(barrier);
  }

  private complete(barrier: number): void {
    if (barrier < 0 || this.live[barrier] === 0) return;
    const left = (this.outstanding[barrier] as number) - 1;
    this.outstanding[barrier] = left;
    if (left === 0) this.release(barrier);
  }

  private release(barrier: number): void {
    this.live[barrier] = 0;
    this.env.now = this.now;
    this.hint = -1;
    const base = this.pendingLength;
    onBarrierReleasedInto(this, this.plan, barrier, this.finals.lookup, this.env);
    this.settle(base);
    this.complete(this.barrierParent[barrier] as number);
  }

  private startAttempt(h: number, slot: number): void {
    const msg = this.messages.messageIn(h, slot);
    const env = this.env;
    env.now = this.now;
    this.slotHandle[slot] = h;
    this.slotMsg[slot] = msg;
    // Celery's worker revokes a message that expired before it could start (no task.started).
    if (msg.expires_at !== undefined && isExpired(msg, this.now)) {
      this.slotOutcome[slot] = EXPIRED;
      this.heap.push(this.now, h, slot);
      return;
    }
    env.worker = this.workerNames[slot] as string;
    const recorder = this.recorder;
    if (recorder !== undefined) {
      // The recorder's number of this slot's worker, asked once per slot.
      let w = this.slotWorkerId[slot] as number;
      if (w === 0) {
        w = recorder.workerId(env.worker);
        this.slotWorkerId[slot] = w;
      }
      recorder.startedOn(msg.task_id, msg.task, attemptOf(msg), env.now, w);
    }
    if (this.trace) {
      // The core's `startedEvent` with its sequence number built in (same keys in the same order; an
      // event reshaped by adding `seq` afterwards costs memory on 100k tasks).
      this.eventSeq += 1;
      this.out.push({
        run_id: this.plan.run_id,
        at: env.now,
        type: 'task.started',
        task_id: msg.task_id,
        attempt: attemptOf(msg),
        worker: env.worker,
        args: msg.args,
        kwargs: msg.kwargs,
        seq: this.eventSeq,
      });
    }
    const attempts = this.attempts;
    this.slotOutcome[slot] = attempts.run(msg, slot);
    this.heap.push(this.now + attempts.elapsed, h, slot);
  }

  private finishAttempt(slot: number): void {
    const h = this.slotHandle[slot] as number;
    const msg = this.slotMsg[slot] as TaskMessage;
    const outcome = this.slotOutcome[slot] as AttemptOutcome;
    this.slotMsg[slot] = undefined;
    this.slotOutcome[slot] = undefined;
    (this.frees[this.slotPool[slot] as number] as number[]).push(slot);
    const env = this.env;
    env.now = this.now;
    env.worker = this.workerNames[slot] as string;
    const trail = this.trail;
    if (trail !== undefined) trail.begin(msg);
    const barrier = this.barrierOf(h, msg);
    this.hint = msg.task;
    this.retryMessage = undefined;
    const base = this.pendingLength;
    onAttemptFinishedInto(this, this.plan, msg, outcome, env);
    this.messages.release(h);
    this.settle(base);
    const retry = this.retryMessage as TaskMessage | undefined;
    if (retry !== undefined) {
      this.retryMessage = undefined;
      this.retries += 1;
      const next = this.messages.intern(retry);
      if (this.retryCountdown > 0) this.heap.push(this.now + this.retryCountdown, next, -1);
      else this.enqueue(next);
    } else {
      if (trail !== undefined) trail.finished(msg, this.now);
      this.complete(barrier);
    }
    if (trail !== undefined) trail.end();
  }

  /** A message enters its queue's broker FIFO (a queue no pool consumes never gets a slot). */
  private enqueue(h: number): void {
    const p = this.poolOf === null ? 0 : this.poolOf.get(messageQueue(this.plan, this.messages.message(h)));
    if (p === undefined) return;
    if (h < 0) {
      const msg = this.messages.message(h);
      if (msg.priority !== undefined) {
        let prio = this.prios[p];
        if (prio === undefined) {
          prio = new PriorityMessages();
          this.prios[p] = prio;
        }
        this.messages.release(h);
        prio.push(msg as TaskMessage & { priority: number });
        return;
      }
    }
    (this.fifos[p] as IntQueue).push(h);
  }

  private fill(): void {
    for (let p = 0; p < this.fifos.length; p++) {
      const fifo = this.fifos[p] as IntQueue;
      const free = this.frees[p] as number[];
      while (fifo.size > 0 && free.length > 0) this.startAttempt(fifo.shift(), free.pop() as number);
      const prio = this.prios[p];
      while (prio !== undefined && prio.size > 0 && free.length > 0)
        this.startAttempt(this.messages.intern(prio.take() as TaskMessage), free.pop() as number);
    }
  }

  run(): void {
    this.hint = -1;
    startRunInto(this, this.plan, 0, this.env.events);
    this.settle(0);
    this.fill();
    const heap = this.heap;
    while (heap.pop()) {
      this.now = heap.topT;
      if (heap.topSlot >= 0) this.finishAttempt(heap.topSlot);
      else this.enqueue(heap.topMsg);
      this.fill();
    }
    if (this.status === undefined) {
      // Cannot happen with a well-formed plan: every barrier is released once its children finished.
      this.status = 'failure';
      this.makespan = this.now;
    }
  }

  /** The run is over (or failed): its arrays may serve the plan's next run. */
  finished(): void {
    // Kept even when a big step grew it (a 100,000-task group's first step lists every member): the
    // scratch lives as long as the plan, and regrowing it each run made 5 MB of new memory per run.
    this.scratch.pending = this.pending;
    this.scratch.giveBack();
  }

  /** Task ids along what enabled the last finishing task (empty when not kept). */
  criticalPath(): string[] {
    return this.trail === undefined ? [] : this.trail.path();
  }
}

/** Runs one plan to completion on the virtual clock. */
export function runLoop(plan: RunPlan, opts: LoopOptions): LoopResult {
  const sim = new Simulation(plan, opts, LoopScratch.take(plan, slotCount(opts), poolsOf(opts).length));
  try {
    sim.run();
  } finally {
    sim.finished();
  }
  return {
    events: sim.events,
    status: sim.status ?? 'failure',
    makespan_ms: sim.makespan,
    retries: sim.retries,
    critical_path: sim.criticalPath(),
  };
}
