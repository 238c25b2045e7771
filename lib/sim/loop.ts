/**
 * The discrete-event loop: a virtual clock over a binary heap, N workers × concurrency slots taking
 * messages from one FIFO broker queue, countdowns as timed enqueues, barrier counters, and the modelled
 * model service. It interprets the semantic core (`lib/engine`) exactly like the cluster does.
 *
 * Written as a class with per-task arrays indexed by plan task (not maps by id): a 100,000-task canvas
 * has to run in a fraction of a second.
 */
import type { SimModel } from '../canvas/model';
import {
  attemptOf,
  EXPIRED,
  isExpired,
  onAttemptFinished,
  onBarrierReleased,
  startRun,
} from '../engine/core';
import type { AttemptOutcome, Dispatch, Env, RunPlan, Step, TaskFinal, TaskMessage } from '../engine/types';
import type { RunEvent, RunStatus } from '../protocol/events';
import { performAttempt } from './attempt';
import { CausalTrail } from './causalTrail';
import { TimeHeap } from './heap';
import { type Action, type BarrierState, filled, taskIndex } from './loopParts';
import { messageQueue, type WorkerPool } from './pools';
import { PriorityMessages } from './priorityMessages';
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

class Simulation {
  private readonly heap = new TimeHeap<Action>();
  private seq = 0;
  private now = 0;
  readonly events: RunEvent[] = [];
  /** Where events go: `events`, or the caller's sink (streamed trace). */
  private readonly out: { push(e: RunEvent): unknown };
  private eventSeq = 0;
  /** One broker queue (FIFO) and free-slot list per pool; a single pool when queues are not modelled. */
  private readonly fifos: TaskMessage[][] = [];
  private readonly heads: number[] = [];
  /** Messages with a Celery `priority`, per pool (taken after the FIFO's, see priorityMessages.ts). */
  private readonly prios: Array<PriorityMessages | undefined> = [];
  private readonly frees: number[][] = [];
  private readonly slotPool: number[] = [];
  private readonly poolOf: Map<string, number> | null;
  private readonly workerNames: string[] = [];
  private readonly barriers = new Map<string, BarrierState>();
  /** Task id → plan index, built on first use (most lookups come with their plan index). */
  private indexCache: Map<string, number> | undefined;
  private readonly planFinals: Array<TaskFinal | undefined>;
  private readonly dynamicFinals = new Map<string, TaskFinal>();
  private readonly counts = new Map<string, number>();
  /** Where `performAttempt` puts an attempt's duration. */
  private readonly took = { elapsed: 0 };
  /** Critical-path bookkeeping (with the trace or the recorded report; Monte Carlo runs skip it). */
  private readonly trail: CausalTrail | undefined;
  retries = 0;
  status: RunStatus | undefined;
  makespan = 0;
  private readonly env: Env;
  private readonly recorder: ReportRecorder | undefined;
  readonly lookup = (id: string, hint?: number): TaskFinal | undefined => {
    const i = hint ?? this.index.get(id);
    return i === undefined ? this.dynamicFinals.get(id) : this.planFinals[i];
  };

  constructor(
    private readonly plan: RunPlan,
    private readonly opts: LoopOptions,
  ) {
    const sink = opts.sink;
    this.out = sink === undefined ? this.events : { push: sink };
    const pools = opts.pools ?? [
      { queue: '', workers: Math.max(1, opts.workers), concurrency: Math.max(1, opts.concurrency) },
    ];
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
      this.fifos.push([]);
      this.heads.push(0);
      this.frees.push(free);
    });
    const n = plan.tasks.length;
    this.recorder = opts.recorder;
    const critical = opts.criticalPath ?? (opts.trace || opts.recorder !== undefined);
    this.trail = critical ? new CausalTrail(plan) : undefined;
    this.planFinals = filled<TaskFinal | undefined>(n, undefined);
    this.env = {
      now: 0,
      random: opts.random,
      worker: '',
      events: opts.trace ? 'all' : opts.recorder !== undefined ? 'outcomes' : 'none',
    };
  }

  private get index(): Map<string, number> {
    if (this.indexCache === undefined) this.indexCache = taskIndex(this.plan);
    return this.indexCache;
  }

  private emitEvents(step: Step): void {
    const events = this.out;
    for (const e of step.events) {
      this.eventSeq += 1;
      (e as RunEvent).seq = this.eventSeq;
      events.push(e as RunEvent);
    }
  }

  private storeFinals(step: Step): void {
    for (const f of step.finals) {
      const i = f.task ?? this.index.get(f.task_id);
      if (i === undefined) this.dynamicFinals.set(f.task_id, f.final);
      else this.planFinals[i] = f.final;
    }
  }

  private countReports(step: Step): void {
    for (const r of step.reports) {
      const b = this.barriers.get(r.barrier);
      if (b === undefined) continue;
      if (r.grow !== undefined) b.total += r.grow;
      else b.done += 1;
      if (this.opts.trace) {
        this.eventSeq += 1;
        this.out.push({
          run_id: this.plan.run_id,
          seq: this.eventSeq,
          at: this.now,
          type: 'chord.progress',
          chord_id: r.chord_id,
          done: b.done,
          total: b.total,
        });
      }
    }
  }

  /** Applies a core step; `hint` is the plan index of the task it is about (-1: none). */
  private apply(step: Step, hint: number): void {
    if (this.opts.trace) this.emitEvents(step);
    if (this.recorder !== undefined) this.recorder.events(step.events, hint);
    if (step.finals.length > 0) this.storeFinals(step);
    if (step.reports.length > 0) this.countReports(step);
    for (const d of step.dispatch) this.dispatch(d);
    if (step.finish !== undefined) {
      this.status = step.finish.status;
      this.makespan = this.now;
    }
  }

  private dispatch(d: Dispatch): void {
    if (d.parentBarrier !== null) {
      const parent = this.barriers.get(d.parentBarrier);
      if (parent !== undefined) parent.outstanding += 1;
    }
    const m = d.message;
    if (m.kind === 'barrier') {
      const state: BarrierState = {
        msg: m,
        parent: d.parentBarrier,
        outstanding: 0,
        done: 0,
        total: m.total,
      };
      this.barriers.set(m.key, state);
      const children = d.children;
      if (children !== undefined) for (const c of children) this.dispatch(c);
      if (state.outstanding === 0) this.release(state);
      return;
    }
    if (this.trail !== undefined) this.trail.dispatched(m);
    if (d.delay_ms > 0) this.schedule(this.now + d.delay_ms, false, m, -1, null);
    else this.enqueue(m);
  }

  private schedule(
    t: number,
    finish: boolean,
    msg: TaskMessage,
    slot: number,
    outcome: AttemptOutcome | null,
  ): void {
    this.heap.push({ t, seq: this.seq++, finish, msg, slot, outcome });
  }

  private complete(key: string | null): void {
    if (key === null) return;
    const b = this.barriers.get(key);
    if (b === undefined) return;
    b.outstanding -= 1;
    if (b.outstanding === 0) this.release(b);
  }

  private release(b: BarrierState): void {
    this.barriers.delete(b.msg.key);
    this.apply(onBarrierReleased(this.plan, b.msg, this.lookup, this.env), -1);
    this.complete(b.parent);
  }

  private startAttempt(msg: TaskMessage, slot: number): void {
    const env = this.env;
    env.now = this.now;
    // Celery's worker revokes a message that expired before it could start (no task.started).
    if (msg.expires_at !== undefined && isExpired(msg, this.now)) {
      this.schedule(this.now, true, msg, slot, EXPIRED);
      return;
    }
    env.worker = this.workerNames[slot] as string;
    if (this.recorder !== undefined)
      this.recorder.started(msg.task_id, msg.task, attemptOf(msg), env.now, env.worker);
    if (this.opts.trace) {
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
    const model = msg.task >= 0 && msg.dynamic === undefined ? this.opts.models[msg.task] : undefined;
    const took = this.took;
    const outcome = performAttempt(this.plan, msg, model, this.opts.random, this.counts, took);
    this.schedule(this.now + took.elapsed, true, msg, slot, outcome);
  }

  private finishAttempt(a: Action): void {
    const msg = a.msg;
    (this.frees[this.slotPool[a.slot] as number] as number[]).push(a.slot);
    const env = this.env;
    env.now = this.now;
    env.worker = this.workerNames[a.slot] as string;
    const trail = this.trail;
    if (trail !== undefined) trail.begin(msg);
    const step = onAttemptFinished(this.plan, msg, a.outcome as AttemptOutcome, env);
    this.apply(step, msg.task);
    if (step.retry !== undefined) {
      this.retries += 1;
      const next = step.retry.message;
      if (step.retry.countdown_ms > 0)
        this.schedule(this.now + step.retry.countdown_ms, false, next, -1, null);
      else this.enqueue(next);
    } else {
      if (trail !== undefined) trail.finished(msg, this.now);
      this.complete(msg.barrier);
    }
    if (trail !== undefined) trail.end();
  }

  /** A message enters its queue's broker FIFO (a queue no pool consumes never gets a slot). */
  private enqueue(msg: TaskMessage): void {
    const p = this.poolOf === null ? 0 : this.poolOf.get(messageQueue(this.plan, msg));
    if (p === undefined) return;
    if (msg.priority !== undefined) {
      let prio = this.prios[p];
      if (prio === undefined) {
        prio = new PriorityMessages();
        this.prios[p] = prio;
      }
      prio.push(msg as TaskMessage & { priority: number });
      return;
    }
    (this.fifos[p] as TaskMessage[]).push(msg);
  }

  private fill(): void {
    for (let p = 0; p < this.fifos.length; p++) {
      const fifo = this.fifos[p] as TaskMessage[];
      const free = this.frees[p] as number[];
      let head = this.heads[p] as number;
      while (head < fifo.length && free.length > 0) {
        const msg = fifo[head] as TaskMessage;
        head += 1;
        this.startAttempt(msg, free.pop() as number);
      }
      if (head > 1024 && head * 2 > fifo.length) {
        this.fifos[p] = fifo.slice(head);
        head = 0;
      }
      this.heads[p] = head;
      const prio = this.prios[p];
      while (prio !== undefined && prio.size > 0 && free.length > 0)
        this.startAttempt(prio.take() as TaskMessage, free.pop() as number);
    }
  }

  run(): void {
    this.apply(startRun(this.plan, 0, this.env.events), -1);
    this.fill();
    for (;;) {
      const action = this.heap.pop();
      if (action === undefined) break;
      this.now = action.t;
      if (action.finish) this.finishAttempt(action);
      else this.enqueue(action.msg);
      this.fill();
    }
    if (this.status === undefined) {
      // Cannot happen with a well-formed plan: every barrier is released once its children finished.
      this.status = 'failure';
      this.makespan = this.now;
    }
  }

  /** Task ids along what enabled the last finishing task (empty when not kept). */
  criticalPath(): string[] {
    return this.trail === undefined ? [] : this.trail.path();
  }
}

/** Runs one plan to completion on the virtual clock. */
export function runLoop(plan: RunPlan, opts: LoopOptions): LoopResult {
  const sim = new Simulation(plan, opts);
  sim.run();
  return {
    events: sim.events,
    status: sim.status ?? 'failure',
    makespan_ms: sim.makespan,
    retries: sim.retries,
    critical_path: sim.criticalPath(),
  };
}
