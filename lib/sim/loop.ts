/**
 * The discrete-event loop: a virtual clock over a binary heap, N workers × concurrency slots taking
 * messages from one FIFO broker queue, countdowns as timed enqueues, barrier counters, and the modelled
 * model service. It interprets the semantic core (`lib/engine`) exactly like the cluster does.
 */
import type { SimModel } from '../canvas/model';
import {
  attemptOf,
  onAttemptFinished,
  onAttemptStarted,
  onBarrierReleased,
  startRun,
  taskRequest,
  timeLimitOutcome,
} from '../engine/core';
import { pyException } from '../engine/python';
import { executeTask, hasImplementation } from '../engine/tasks';
import { modelServiceCall } from '../engine/tasks/modelService';
import type {
  AttemptOutcome,
  BarrierMessage,
  Dispatch,
  PlanTask,
  RunPlan,
  Step,
  TaskFinal,
  TaskMessage,
} from '../engine/types';
import type { RunEvent, RunStatus } from '../protocol/events';
import { sampleDuration } from './duration';
import { TimeHeap } from './heap';
import type { Random } from './prng';

export interface LoopOptions {
  workers: number;
  concurrency: number;
  random: Random;
  /** Simulation model per plan task (index-aligned). */
  models: ReadonlyArray<SimModel | undefined>;
  /** Keep the event trace (Monte Carlo runs skip it). */
  trace: boolean;
}

export interface LoopResult {
  events: RunEvent[];
  status: RunStatus;
  makespan_ms: number;
  /** Retries scheduled during the run. */
  retries: number;
  /** Per task id: which task's completion enabled its (first) dispatch (critical path). */
  enabledBy: Map<string, string | null>;
  /** Per task id: first start and final end (virtual ms). */
  spans: Map<string, { start: number; end: number }>;
}

interface BarrierState {
  msg: BarrierMessage;
  parent: string | null;
  outstanding: number;
  done: number;
  total: number;
}

type Action =
  | { t: number; seq: number; kind: 'enqueue'; msg: TaskMessage }
  | { t: number; seq: number; kind: 'finish'; msg: TaskMessage; slot: number; outcome: AttemptOutcome };

const DEFAULT_MODEL_CALL_MS = 5;

/** Runs one plan to completion on the virtual clock. */
export function runLoop(plan: RunPlan, opts: LoopOptions): LoopResult {
  const random = opts.random;
  const heap = new TimeHeap<Action>();
  let seq = 0;
  let now = 0;
  const events: RunEvent[] = [];
  let eventSeq = 0;
  const fifo: TaskMessage[] = [];
  let fifoHead = 0;
  const slots = Math.max(1, opts.workers) * Math.max(1, opts.concurrency);
  const workerNames: string[] = [];
  // Interleave slots across workers so work spreads over the workers first.
  for (let i = 0; i < slots; i++) workerNames.push(`worker-${(i % Math.max(1, opts.workers)) + 1}`);
  const free: number[] = [];
  for (let i = slots - 1; i >= 0; i--) free.push(i);
  const barriers = new Map<string, BarrierState>();
  const finals = new Map<string, TaskFinal>();
  const lookup = (id: string): TaskFinal | undefined => finals.get(id);
  const counts = new Map<string, number>();
  const enabledBy = new Map<string, string | null>();
  const spans = new Map<string, { start: number; end: number }>();
  let retries = 0;
  let status: RunStatus | undefined;
  let makespan = 0;
  let cause: string | null = null;
  const env = { now: 0, random, worker: '' };

  const emit = (step: Step): void => {
    if (opts.trace) {
      for (const e of step.events) {
        eventSeq += 1;
        (e as RunEvent).seq = eventSeq;
        events.push(e as RunEvent);
      }
    }
    for (const f of step.finals) finals.set(f.task_id, f.final);
    for (const r of step.reports) {
      const b = barriers.get(r.barrier);
      if (b === undefined) continue;
      if (r.grow !== undefined) b.total += r.grow;
      else b.done += 1;
      if (opts.trace) {
        eventSeq += 1;
        events.push({
          run_id: plan.run_id,
          seq: eventSeq,
          at: now,
          type: 'chord.progress',
          chord_id: r.chord_id,
          done: b.done,
          total: b.total,
        });
      }
    }
  };

  const dispatch = (d: Dispatch): void => {
    if (d.parentBarrier !== null) {
      const parent = barriers.get(d.parentBarrier);
      if (parent !== undefined) parent.outstanding += 1;
    }
    const m = d.message;
    if (m.kind === 'barrier') {
      const children = d.children ?? [];
      const state: BarrierState = {
        msg: m,
        parent: d.parentBarrier,
        outstanding: 0,
        done: 0,
        total: m.total,
      };
      barriers.set(m.key, state);
      for (const c of children) dispatch(c);
      if (state.outstanding === 0) release(state);
      return;
    }
    if (!enabledBy.has(m.task_id)) enabledBy.set(m.task_id, cause);
    if (d.delay_ms > 0) heap.push({ t: now + d.delay_ms, seq: seq++, kind: 'enqueue', msg: m });
    else fifo.push(m);
  };

  const apply = (step: Step): void => {
    emit(step);
    for (const d of step.dispatch) dispatch(d);
    if (step.finish !== undefined) {
      status = step.finish.status;
      makespan = now;
    }
  };

  const complete = (key: string | null): void => {
    if (key === null) return;
    const b = barriers.get(key);
    if (b === undefined) return;
    b.outstanding -= 1;
    if (b.outstanding === 0) release(b);
  };

  function release(b: BarrierState): void {
    barriers.delete(b.msg.key);
    apply(onBarrierReleased(plan, b.msg, lookup, { now }));
    complete(b.parent);
  }

  const startAttempt = (msg: TaskMessage, slot: number): void => {
    env.now = now;
    env.worker = workerNames[slot] as string;
    if (opts.trace) emit(onAttemptStarted(plan, msg, env));
    const span = spans.get(msg.task_id);
    if (span === undefined) spans.set(msg.task_id, { start: now, end: now });
    const { outcome, elapsed } = perform(msg);
    heap.push({ t: now + elapsed, seq: seq++, kind: 'finish', msg, slot, outcome });
  };

  /** Runs the task's implementation with effects on the virtual clock, faults and time limits. */
  const perform = (msg: TaskMessage): { outcome: AttemptOutcome; elapsed: number } => {
    const t: PlanTask | undefined = msg.task >= 0 ? plan.tasks[msg.task] : undefined;
    const model = msg.task >= 0 && msg.dynamic === undefined ? opts.models[msg.task] : undefined;
    const options = msg.dynamic?.options ?? (t as PlanTask).options;
    let base = Math.round(
      sampleDuration(model?.duration_ms ?? t?.duration_ms ?? DEFAULT_MODEL_CALL_MS, random),
    );
    let elapsed = 0;
    let outcome: AttemptOutcome;
    const attempt = attemptOf(msg);
    const injected =
      model !== undefined &&
      (model.down === true ||
        (model.fail_first !== undefined && attempt <= model.fail_first) ||
        (model.fail_probability !== undefined && random() < model.fail_probability));
    if (injected) {
      const e = model?.error;
      outcome = {
        kind: 'error',
        error: pyException(e?.type ?? 'ExpectedException', e?.message ?? 'injected failure'),
      };
    } else if (!hasImplementation(msg.name)) {
      // A user task the simulator cannot run: it succeeds with no value after its modelled duration.
      outcome = { kind: 'success', value: null };
    } else {
      let result = executeTask(undefined, taskRequest(plan, msg));
      while (result.kind === 'effect') {
        if (result.effect === 'sleep') {
          elapsed += result.ms;
          result = result.then();
        } else {
          const reply = modelServiceCall(counts, result.request);
          const callTime = base + reply.delay_ms;
          base = 0;
          if (callTime > result.timeout_ms) {
            elapsed += result.timeout_ms;
            result = result.then({ kind: 'timeout' });
          } else {
            elapsed += callTime;
            result = result.then({ kind: 'response', status: reply.status, body: reply.body });
          }
        }
      }
      outcome = result;
    }
    elapsed += base + (model?.extra_delay_ms ?? 0);
    const soft = options.soft_time_limit;
    const hard = options.time_limit;
    if (soft !== undefined && elapsed > soft * 1000 && (hard === undefined || soft < hard)) {
      return { outcome: timeLimitOutcome('soft', soft), elapsed: soft * 1000 };
    }
    if (hard !== undefined && elapsed > hard * 1000) {
      return { outcome: timeLimitOutcome('hard', hard), elapsed: hard * 1000 };
    }
    return { outcome, elapsed };
  };

  const fill = (): void => {
    while (fifoHead < fifo.length && free.length > 0) {
      const msg = fifo[fifoHead] as TaskMessage;
      fifoHead += 1;
      startAttempt(msg, free.pop() as number);
    }
    if (fifoHead > 1024 && fifoHead * 2 > fifo.length) {
      fifo.splice(0, fifoHead);
      fifoHead = 0;
    }
  };

  apply(startRun(plan, 0));
  fill();
  for (;;) {
    const action = heap.pop();
    if (action === undefined) break;
    now = action.t;
    if (action.kind === 'enqueue') {
      fifo.push(action.msg);
    } else {
      free.push(action.slot);
      const msg = action.msg;
      env.now = now;
      env.worker = workerNames[action.slot] as string;
      cause = msg.task_id;
      const step = onAttemptFinished(plan, msg, action.outcome, env);
      apply(step);
      if (step.retry !== undefined) {
        retries += 1;
        const next = step.retry.message;
        if (step.retry.countdown_ms > 0)
          heap.push({ t: now + step.retry.countdown_ms, seq: seq++, kind: 'enqueue', msg: next });
        else fifo.push(next);
      } else {
        const span = spans.get(msg.task_id);
        if (span !== undefined) span.end = now;
        complete(msg.barrier);
      }
      cause = null;
    }
    fill();
  }
  if (status === undefined) {
    // Cannot happen with a well-formed plan: every barrier is released once its children finished.
    status = 'failure';
    makespan = now;
  }
  return { events, status, makespan_ms: makespan, retries, enabledBy, spans };
}
