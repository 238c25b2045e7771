/**
 * One delivery of a task message, as a worker carries it out: `onAttemptStarted` → run the task
 * (built-in via `executeTask` with real effects, or a user task) under its time limits and the run's
 * cancel signal → `onAttemptFinished` → apply the step (store writes, then dispatches); the caller
 * then runs the barrier completion script (barrier.ts) with what `done` says. A step that adds no jobs
 * leaves its writes unflushed in the batch: the caller's completion (or `batch.flush()`) carries them.
 * Shared by task jobs and by barrier jobs that run a chord body inline (see worker.ts), so both paths
 * record exactly the same events and states.
 */
import {
  EXPIRED,
  executeTask,
  isExpired,
  onAttemptFinished,
  onAttemptStarted,
  taskRequest,
  timeLimitOutcome,
} from '../../lib/engine';
import type {
  AttemptOutcome,
  Dispatch,
  Env,
  ResolvedOptions,
  Step,
  TaskMessage,
  TaskResult,
} from '../../lib/engine/types';
import type { Logger } from '../log';
import type { StoreBatch } from '../runs/runStore';
import { taskModuleUrl } from '../tasks/compiledImport';
import type { TaskRegistry } from '../tasks/registry';
import { runUserTask } from '../tasks/registry';
import { runUserTaskInThread } from '../tasks/threadRunner';
import type { Done } from './barrier';
import { AbortedError, postModel, sleep } from './effects';
import { applyStep, recordStep } from './interpreter';
import type { Dispatcher } from './queues';
import type { RunContext, RunContexts } from './runContext';

export interface AttemptDeps {
  name: string;
  registry: TaskRegistry;
  modelUrl: string | undefined;
  batch: StoreBatch;
  dispatcher: Pick<Dispatcher, 'dispatch'>;
  contexts: RunContexts;
  /** Abort controllers of running attempts by run id (the cancel channel aborts them). */
  running: Map<string, Set<AbortController>>;
  log: Logger | undefined;
}

/** Picks the one dispatch of a finished attempt's step that the caller will run inline instead of adding it. */
export type InlinePicker = (step: Step) => Dispatch | undefined;

export interface Attempted {
  step: Step;
  /**
   * What the barrier completion script must record (barrier.ts), after the step's jobs were added:
   * undefined for a retry that sent nothing (the message is not done).
   */
  done?: Done;
  /** The dispatch `inline` picked: left out of the jobs added, the caller must run it. */
  next?: Dispatch;
}

export type RunAttempt = (
  ctx: RunContext,
  msg: TaskMessage,
  inline?: InlinePicker,
) => Promise<Attempted | undefined>;

/**
 * Returns a function that runs one attempt of `msg` and applies its step; it resolves to the step
 * (whose `retry`, if any, the caller must schedule) or undefined when the run was canceled.
 */
export function attemptRunner(deps: AttemptDeps): RunAttempt {
  const { name, modelUrl, batch, dispatcher, contexts, running, log } = deps;
  const { catalogue, userTasks } = deps.registry;

  function env(ctx: RunContext): Env {
    return { now: Date.now() - ctx.startedMs, random: Math.random, worker: name };
  }

  async function perform(first: TaskResult, signal: AbortSignal): Promise<AttemptOutcome> {
    let r: TaskResult = first;
    while (r.kind === 'effect') {
      if (r.effect === 'sleep') {
        await sleep(r.ms, signal);
        r = r.then();
      } else {
        const response = modelUrl
          ? await postModel(modelUrl, r.request, r.timeout_ms, signal)
          : ({
              kind: 'connection_error',
              message: 'MODEL_SERVICE_URL is not set: start the mock model service (chordflow serve does).',
            } as const);
        r = r.then(response);
      }
    }
    return r;
  }

  function execute(
    ctx: RunContext,
    msg: TaskMessage,
    first: TaskResult | undefined,
    signal: AbortSignal,
  ): Promise<AttemptOutcome> {
    const user = userTasks.get(msg.name);
    const options = msg.dynamic?.options ?? ctx.plan.tasks[msg.task]?.options;
    const file = deps.registry.taskFiles?.get(msg.name);
    if (user && file && (options?.time_limit || options?.soft_time_limit)) {
      // A time limit must be able to stop the task, even a synchronous loop: run it on its own thread.
      const context = { task_id: msg.task_id, run_id: msg.run_id, retries: msg.retries };
      return taskModuleUrl(file).then((url) =>
        url
          ? runUserTaskInThread(url, msg.name, msg.args, msg.kwargs, context, signal)
          : runUserTask(user, msg.args, msg.kwargs, { ...context, signal }),
      );
    }
    if (user) {
      return runUserTask(user, msg.args, msg.kwargs, {
        task_id: msg.task_id,
        run_id: msg.run_id,
        retries: msg.retries,
        signal,
      });
    }
    return perform(first ?? builtIn(ctx, msg), signal);
  }

  function builtIn(ctx: RunContext, msg: TaskMessage): TaskResult {
    const request = taskRequest(ctx.plan, msg, {
      namespace: msg.run_id,
      ...(modelUrl ? { service_url: modelUrl } : {}),
    });
    return executeTask(catalogue.get(msg.name), request);
  }

  function finish(
    ctx: RunContext,
    msg: TaskMessage,
    outcome: AttemptOutcome,
    inline: InlinePicker | undefined,
  ): Promise<Attempted | undefined> {
    // Canceled while running (a task that ignored its abort signal): its outcome no longer matters.
    if (contexts.canceled.has(msg.run_id)) return Promise.resolve(undefined);
    const e = env(ctx);
    const step = onAttemptFinished(ctx.plan, msg, outcome, e);
    const next = step.retry ? undefined : inline?.(step);
    const applied = next ? { ...step, dispatch: step.dispatch.filter((d) => d !== next) } : step;
    // The inline `next` has no job but is registered like the rest: this job holds it until it is done.
    const result: Attempted = { step };
    if (!step.retry || step.dispatch.length > 0)
      result.done = {
        key: step.retry ? undefined : msg.key,
        parent: msg.barrier,
        dispatches: step.dispatch,
      };
    if (next) result.next = next;
    // No job to add: the writes wait in the batch for the caller's completion (or flush), one call for both.
    if (applied.dispatch.length === 0) {
      recordStep(batch, ctx, applied, e.now);
      return Promise.resolve(result);
    }
    return applyStep(batch, dispatcher, ctx, applied, e.now).then(() => result);
  }

  // Not an async function: the fast path (most tasks) returns finish's promise as it is, without the
  // async wrapper's own promise and the ticks of resolving one promise with another.
  return function runAttempt(ctx, msg, inline) {
    try {
      // Celery's worker revokes a message that expired before it could start (no task.started).
      if (msg.expires_at !== undefined && isExpired(msg, env(ctx).now))
        return finish(ctx, msg, EXPIRED, inline);
      batch.appendEvents(msg.run_id, onAttemptStarted(ctx.plan, msg, env(ctx)).events);
      if (ctx.progressMarked !== true) {
        ctx.progressMarked = true;
        batch.markProgress(msg.run_id);
      }
      // Fast path: a built-in that answers without effects ran synchronously, so no timer, abort or
      // cancel could have fired meanwhile; its start and finish go out in the same store flush.
      let first: TaskResult | undefined;
      if (!userTasks.has(msg.name)) {
        try {
          first = builtIn(ctx, msg);
        } catch (err) {
          first = { kind: 'error', error: { type: 'Exception', message: errorMessage(err) } };
        }
        if (first.kind !== 'effect') return finish(ctx, msg, first, inline);
      }
      return withEffects(ctx, msg, first, inline);
    } catch (err) {
      return Promise.reject(err);
    }
  };

  /** An attempt that waits: a user task, or a built-in's effects (sleep, the model service). */
  async function withEffects(
    ctx: RunContext,
    msg: TaskMessage,
    first: TaskResult | undefined,
    inline: InlinePicker | undefined,
  ): Promise<Attempted | undefined> {
    // Written in the background (shared with whatever else finishes this tick): live views see the start now.
    batch.flush().catch((err: unknown) => log?.warn({ err: String(err) }, 'could not record task.started'));
    const options: ResolvedOptions | undefined = msg.dynamic?.options ?? ctx.plan.tasks[msg.task]?.options;
    const ac = new AbortController();
    let set = running.get(msg.run_id);
    if (!set) {
      set = new Set();
      running.set(msg.run_id, set);
    }
    set.add(ac);
    // Timers only for tasks that have limits (most have none: no per-job allocations then).
    let soft: ReturnType<typeof setTimeout> | undefined;
    let hard: ReturnType<typeof setTimeout> | undefined;
    if (options?.soft_time_limit) soft = setTimeout(() => ac.abort('soft'), options.soft_time_limit * 1000);
    if (options?.time_limit) hard = setTimeout(() => ac.abort('hard'), options.time_limit * 1000);
    let outcome: AttemptOutcome;
    try {
      // Raced against the signal: a task that ignores its abort signal (or never settles) must not hold
      // its job past a time limit or a cancel — the attempt ends when the limit says so.
      outcome = await untilAborted(execute(ctx, msg, first, ac.signal), ac.signal);
      // A synchronous task cannot be interrupted: a limit it ran past still decides the outcome.
      if (ac.signal.aborted) throw new AbortedError(String(ac.signal.reason));
    } catch (err) {
      const reason =
        err instanceof AbortedError ? err.reason : ac.signal.aborted ? String(ac.signal.reason) : '';
      if (reason === 'canceled') return undefined;
      if (reason === 'hard') outcome = timeLimitOutcome('hard', options?.time_limit ?? 0);
      else if (reason === 'soft') outcome = timeLimitOutcome('soft', options?.soft_time_limit ?? 0);
      else {
        // A task implementation that threw (instead of returning an outcome) fails like a Python task would.
        outcome = { kind: 'error', error: { type: 'Exception', message: errorMessage(err) } };
      }
    } finally {
      if (soft) clearTimeout(soft);
      if (hard) clearTimeout(hard);
      set.delete(ac);
      if (set.size === 0) running.delete(msg.run_id);
    }
    return finish(ctx, msg, outcome, inline);
  }
}

/** Settles like `work`, or rejects with AbortedError as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError(String(signal.reason)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
