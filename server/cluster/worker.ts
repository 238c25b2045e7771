/**
 * A Chordflow worker: BullMQ workers on the task queues and the barrier queue that interpret the
 * semantic core (lib/engine). Stateless; any number of them may share one Redis.
 *
 * - Task job: `onAttemptStarted` → run the task (built-in via `executeTask` with real effects, or a user
 *   task) → `onAttemptFinished` → apply the step; a retry throws `RetryLater`, whose countdown the
 *   `celery` backoff strategy hands to BullMQ (a delayed job with the same id).
 * - Barrier job: runs when BullMQ releases it (its last child completed, atomically) → reads the header
 *   finals → `onBarrierReleased` → apply the step (the root's release finishes the run).
 * Delivery is at-least-once: a killed worker's job is redelivered after `lockDuration` + `stalledInterval`.
 */
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import {
  barrierInputs,
  executeTask,
  onAttemptFinished,
  onAttemptStarted,
  onBarrierReleased,
  taskRequest,
  timeLimitOutcome,
} from '../../lib/engine';
import type {
  AttemptOutcome,
  BarrierMessage,
  Env,
  Message,
  ResolvedOptions,
  TaskFinal,
  TaskMessage,
  TaskResult,
} from '../../lib/engine/types';
import type { Logger } from '../log';
import { createRedis } from '../redis/connection';
import { RunStore, StoreBatch } from '../runs/runStore';
import type { TaskRegistry } from '../tasks/registry';
import { runUserTask } from '../tasks/registry';
import { AbortedError, postModel, predictUrl, sleep } from './effects';
import { applyStep } from './interpreter';
import { BARRIER_QUEUE, Dispatcher, taskQueueName } from './queues';
import { type RunContext, RunContexts } from './runContext';

export interface ClusterWorkerOptions {
  redisUrl: string;
  prefix: string;
  registry: TaskRegistry;
  /** Jobs processed at once per queue. */
  concurrency?: number;
  /** Task queues (Celery queue names) to consume; default: the default queue only. */
  queues?: string[];
  /** Also process barrier jobs (default true). */
  barriers?: boolean;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  modelServiceUrl?: string;
  name?: string;
  log?: Logger;
}

export interface ClusterWorker {
  name: string;
  /** Stops fetching, waits for running jobs up to `timeoutMs`, then disconnects (the rest stalls and is redelivered). */
  close(timeoutMs?: number): Promise<void>;
}

/** Thrown to retry an attempt after the core's countdown (read back by the `celery` backoff strategy). */
class RetryLater extends Error {
  constructor(readonly countdownMs: number) {
    super(`retry in ${countdownMs} ms`);
    this.name = 'RetryLater';
  }
}

let workerSeq = 0;

export async function startClusterWorker(options: ClusterWorkerOptions): Promise<ClusterWorker> {
  const name = options.name ?? `worker-${hostname()}-${process.pid}-${++workerSeq}`;
  const log = options.log;
  const connection = createRedis(options.redisUrl, { worker: true });
  const store = new RunStore(connection, options.prefix);
  const batch = new StoreBatch(store);
  const dispatcher = new Dispatcher(connection, options.prefix);
  const contexts = new RunContexts(store);
  const running = new Map<string, Set<AbortController>>();
  const modelUrl = options.modelServiceUrl ? predictUrl(options.modelServiceUrl) : undefined;
  const { catalogue, userTasks } = options.registry;

  const subscriber = createRedis(options.redisUrl, { worker: true });
  subscriber.on('message', (_channel: string, runId: string) => {
    contexts.canceled.add(runId);
    for (const ac of running.get(runId) ?? []) ac.abort('canceled');
  });
  await subscriber.subscribe(store.keys.cancelChannel);

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

  async function runAttempt(ctx: RunContext, msg: TaskMessage, signal: AbortSignal): Promise<AttemptOutcome> {
    const user = userTasks.get(msg.name);
    if (user) {
      return runUserTask(user, msg.args, msg.kwargs, {
        task_id: msg.task_id,
        run_id: msg.run_id,
        retries: msg.retries,
        signal,
      });
    }
    const request = taskRequest(ctx.plan, msg, {
      namespace: msg.run_id,
      ...(modelUrl ? { service_url: modelUrl } : {}),
    });
    return perform(executeTask(catalogue.get(msg.name), request), signal);
  }

  async function processTask(job: Job<TaskMessage>): Promise<null> {
    const msg = job.data;
    const ctx = await contexts.get(msg.run_id);
    if (!ctx || contexts.canceled.has(msg.run_id)) return null;
    batch.appendEvents(msg.run_id, onAttemptStarted(ctx.plan, msg, env(ctx)).events);
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
    const limits: Array<ReturnType<typeof setTimeout>> = [];
    if (options?.soft_time_limit)
      limits.push(setTimeout(() => ac.abort('soft'), options.soft_time_limit * 1000));
    if (options?.time_limit) limits.push(setTimeout(() => ac.abort('hard'), options.time_limit * 1000));
    let outcome: AttemptOutcome;
    try {
      outcome = await runAttempt(ctx, msg, ac.signal);
      // A synchronous task cannot be interrupted: a limit it ran past still decides the outcome.
      if (ac.signal.aborted) throw new AbortedError(String(ac.signal.reason));
    } catch (err) {
      const reason =
        err instanceof AbortedError ? err.reason : ac.signal.aborted ? String(ac.signal.reason) : '';
      if (reason === 'canceled') return null;
      if (reason === 'hard') outcome = timeLimitOutcome('hard', options?.time_limit ?? 0);
      else if (reason === 'soft') outcome = timeLimitOutcome('soft', options?.soft_time_limit ?? 0);
      else {
        // A task implementation that threw (instead of returning an outcome) fails like a Python task would.
        const message = err instanceof Error ? err.message : String(err);
        outcome = { kind: 'error', error: { type: 'Exception', message } };
      }
    } finally {
      for (const t of limits) clearTimeout(t);
      set.delete(ac);
      if (set.size === 0) running.delete(msg.run_id);
    }
    // Canceled while running (a task that ignored its abort signal): its outcome no longer matters.
    if (contexts.canceled.has(msg.run_id)) return null;
    const e = env(ctx);
    const step = onAttemptFinished(ctx.plan, msg, outcome, e);
    await applyStep(batch, dispatcher, ctx, step, e.now);
    if (step.retry) {
      await job.updateData(step.retry.message);
      throw new RetryLater(step.retry.countdown_ms);
    }
    return null;
  }

  async function processBarrier(job: Job<BarrierMessage>): Promise<null> {
    const b = job.data;
    const ctx = await contexts.get(b.run_id);
    if (!ctx || contexts.canceled.has(b.run_id)) return null;
    const finals = new Map<string, TaskFinal>();
    const lookup = (id: string) => finals.get(id);
    const fetched = new Set<string>();
    let wanted = barrierInputs(ctx.plan, b);
    for (;;) {
      const missing = [...new Set(wanted)].filter((id) => !fetched.has(id));
      if (missing.length === 0) break;
      const states = await store.getTaskStates<TaskFinal>(b.run_id, missing);
      for (const id of missing) {
        fetched.add(id);
        const s = states[id];
        if (s) finals.set(id, s);
      }
      wanted = barrierInputs(ctx.plan, b, lookup);
    }
    const now = Date.now() - ctx.startedMs;
    const step = onBarrierReleased(ctx.plan, b, lookup, { now });
    await applyStep(batch, dispatcher, ctx, step, now);
    return null;
  }

  const workerOpts = {
    connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 16,
    lockDuration: options.lockDurationMs ?? 4000,
    stalledInterval: options.stalledIntervalMs ?? 2000,
    maxStalledCount: 1_000,
    name,
    settings: {
      // The core's countdown; any other error (Redis unreachable while applying a step) retries the
      // whole message after a second — redelivery is at-least-once and every write is idempotent by key.
      backoffStrategy: (_attempts: number, _type?: string, err?: Error) =>
        err instanceof RetryLater ? err.countdownMs : 1000,
    },
  };

  const queueNames = (options.queues && options.queues.length > 0 ? options.queues : ['default']).map(
    taskQueueName,
  );
  const workers: Worker[] = [];
  for (const q of new Set(queueNames)) {
    workers.push(new Worker<TaskMessage>(q, processTask, workerOpts));
  }
  if (options.barriers !== false) {
    const bw = new Worker<BarrierMessage>(BARRIER_QUEUE, processBarrier, workerOpts);
    // After the run's end, its jobs are removed (the root removes its whole tree); the run record stays.
    bw.on('completed', (job) => {
      const m = job.data as Message;
      if (m.kind === 'barrier' && m.barrier === 0) {
        contexts.forget(m.run_id);
        void dispatcher
          .queue(BARRIER_QUEUE)
          .remove(job.id ?? '', { removeChildren: true })
          .catch(() => {});
      }
    });
    workers.push(bw);
  }
  for (const w of workers) {
    w.on('error', (err) => log?.warn({ err: err.message, worker: name }, 'worker error'));
    w.on('failed', (job, err) => {
      if (!(err instanceof RetryLater))
        log?.error({ job: job?.id, err: err.message }, 'job failed unexpectedly');
    });
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  const heartbeat = async () => {
    const now = Date.now();
    await connection
      .multi()
      .zadd(store.keys.workers, now, name)
      .zremrangebyscore(store.keys.workers, '-inf', now - 3_600_000)
      .exec()
      .catch(() => {});
  };
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), 5000);
  beat.unref();
  log?.info(
    { worker: name, queues: [...new Set(queueNames)], concurrency: workerOpts.concurrency },
    'worker ready',
  );

  return {
    name,
    async close(timeoutMs = 10_000) {
      clearInterval(beat);
      const closing = Promise.all(workers.map((w) => w.close()));
      const timedOut = await Promise.race([
        closing.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs).unref()),
      ]);
      if (timedOut) {
        log?.warn({ worker: name }, 'shutdown timeout: running jobs will be redelivered');
        await Promise.all(workers.map((w) => w.close(true).catch(() => {})));
      }
      await connection.zrem(store.keys.workers, name).catch(() => {});
      await dispatcher.close().catch(() => {});
      subscriber.disconnect();
      connection.disconnect();
    },
  };
}
