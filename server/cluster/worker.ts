/**
 * A Chordflow worker: BullMQ workers on the task queues and the barrier queue that interpret the
 * semantic core (lib/engine). Stateless; any number of them may share one Redis.
 *
 * - Task job: `onAttemptStarted` → run the task (built-in via `executeTask` with real effects, or a user
 *   task) → `onAttemptFinished` → store writes → add the continuation jobs → the barrier completion
 *   script (barrier.ts) → release, here in the same job, every barrier it says this completion
 *   released → only then BullMQ completes the job. A retry throws `RetryLater`, whose countdown the
 *   `celery` backoff strategy hands to BullMQ (a delayed job with the same id).
 * - Release (`release`): reads the header finals → `onBarrierReleased` → apply the step → the barrier's
 *   own completion in its parent (which may release that one too: the root's release ends the run).
 *   A `barriers` job does the same for a barrier a submit found releasable at once (empty header).
 * - Fusion (`runHere`): a step's single task continuation that this worker could take anyway (a chord
 *   body that is one task, a chain's next step) runs inside the current job instead of as a new job,
 *   up to `maxInlineSteps` per job and while the job has run less than `maxInlineMs` (a quarter of the
 *   lock: BullMQ renews locks between the steps' Redis calls, and a job is never near its lock time);
 *   it is the job count, not Redis round trips, that bounds throughput.
 * - Bundle (bundle.ts, bundleRunner.ts): small headers' members sent as one job to a backlogged queue.
 * Delivery is at-least-once: a killed worker's job is redelivered after `lockDuration` + `stalledInterval`;
 * every step above is idempotent by key and a barrier has one releaser (barrier.ts).
 */
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { onBarrierReleased } from '../../lib/engine';
import type { BarrierMessage, Step, TaskMessage } from '../../lib/engine/types';
import type { Logger } from '../log';
import { createRedis } from '../redis/connection';
import { RedisMonitor } from '../redis/monitor';
import { RunStore, StoreBatch } from '../runs/runStore';
import { within } from '../shutdown';
import type { TaskRegistry } from '../tasks/registry';
import { attemptRunner } from './attempt';
import { Barriers, COMPLETE_TAIL, type Done } from './barrier';
import { RetryLater, startBullWorkers } from './bullWorkers';
import { bundleRunner } from './bundleRunner';
import { crashPoint } from './crashPoints';
import { predictUrl } from './effects';
import { inlineContinuation } from './inlineContinuation';
import { applyStep } from './interpreter';
import {
  type BundleJobData,
  decodeJobData,
  encodeJobData,
  isBundleData,
  type JobData,
  jobRunId,
} from './jobData';
import { Dispatcher, taskQueueName } from './queues';
import { barrierMessage, type Finals, releaseInputs } from './releaseInputs';
import { RunCleanup } from './runCleanup';
import { type RunContext, RunContexts } from './runContext';
import { ActiveTasks, startWorkerBeat } from './workerBeat';

export interface ClusterWorkerOptions {
  redisUrl: string;
  prefix: string;
  registry: TaskRegistry;
  /** Jobs processed at once per queue. */
  concurrency?: number;
  /** Task queues (Celery queue names) to consume; default: the default queue only. */
  queues?: string[];
  /** Also process `barriers` jobs (default true; every worker releases the barriers its jobs release). */
  barriers?: boolean;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Run a chord body that is a single task inline in its barrier job (default true; false for A/B benches). */
  inlineBodies?: boolean;
  /** Continuations (a chain's next step) run inline per job at most (default 16; 0 = always a new job). */
  maxInlineSteps?: number;
  /**
   * No continuation starts inline once a job has run this long (default a quarter of the lock): the rest
   * goes on as a new job, so a job's inline steps never keep it near its lock time however slow each is.
   */
  maxInlineMs?: number;
  /** Small headers' members as one job from this queue backlog (DispatcherOptions.bundleBacklog). */
  bundleBacklog?: number;
  modelServiceUrl?: string;
  name?: string;
  log?: Logger;
}

export interface ClusterWorker {
  name: string;
  /** Stops fetching, waits for running jobs up to `timeoutMs`, then disconnects (the rest stalls and is redelivered). */
  close(timeoutMs?: number): Promise<void>;
}

let workerSeq = 0;

export async function startClusterWorker(options: ClusterWorkerOptions): Promise<ClusterWorker> {
  const name = options.name ?? `worker-${hostname()}-${process.pid}-${++workerSeq}`;
  const log = options.log;
  const connection = createRedis(options.redisUrl, { worker: true });
  // The run store gets a connection of its own: ioredis copies every script defined on a connection
  // into each pipeline it creates, and BullMQ defines dozens on `connection` (the store's per-tick
  // pipelines and per-run reads would pay for that). Writes are awaited before dispatching, so
  // ordering does not depend on sharing a connection.
  const storeConnection = createRedis(options.redisUrl, { worker: true });
  const store = new RunStore(storeConnection, options.prefix);
  // Barrier completions ride in the store's flush, after the writes (one script call per turn for both).
  const batch = new StoreBatch(store, COMPLETE_TAIL);
  const bundling = options.bundleBacklog === undefined ? {} : { bundleBacklog: options.bundleBacklog };
  const dispatcher = new Dispatcher(connection, options.prefix, bundling);
  const contexts = new RunContexts(store);
  const running = new Map<string, Set<AbortController>>();
  const modelUrl = options.modelServiceUrl ? predictUrl(options.modelServiceUrl) : undefined;

  const subscriber = createRedis(options.redisUrl, { worker: true });
  subscriber.on('message', (_channel: string, runId: string) => {
    contexts.canceled.add(runId);
    for (const ac of running.get(runId) ?? []) ac.abort('canceled');
  });
  await subscriber.subscribe(store.keys.cancelChannel);

  const barriers = new Barriers(storeConnection, options.prefix, batch);
  const cleanup = new RunCleanup(storeConnection, options.prefix);

  const maxInline = options.maxInlineSteps ?? 16;
  const lockMs = options.lockDurationMs ?? 4000;
  const maxInlineMs = options.maxInlineMs ?? lockMs / 4;
  const runAttempt = attemptRunner({
    name,
    registry: options.registry,
    modelUrl,
    batch,
    dispatcher,
    contexts,
    running,
    log,
  });
  const queueNames = new Set(
    (options.queues && options.queues.length > 0 ? options.queues : ['default']).map(taskQueueName),
  );

  const active = new ActiveTasks(); // for the heartbeat (the operator's Workers view)
  const runBundle = bundleRunner({
    contexts,
    batch,
    dispatcher,
    active,
    maxInlineMs,
    runSteps,
    settle,
    ended: async (runId) => FINAL.has((await store.getStatus(runId)) ?? ''),
  });

  async function processTask(job: Job<JobData>): Promise<null> {
    const data = job.data;
    if (isBundleData(data)) return processBundle(job, data);
    const runId = jobRunId(data, job.id ?? '');
    const ctx = contexts.ready(runId) ?? (await contexts.get(runId));
    if (!ctx || contexts.canceled.has(runId)) return null;
    const retry = await runOne(ctx, decodeJobData(ctx.plan, job.id ?? '', data) as TaskMessage);
    if (retry) await retryJob(job, ctx, retry);
    crashPoint('released');
    return null;
  }

  /** The job's own message retries: the job carries it alone from now on, delayed by its countdown. */
  async function retryJob(job: Job<JobData>, ctx: RunContext, retry: NonNullable<Step['retry']>) {
    await job.updateData(encodeJobData(ctx.plan, retry.message));
    throw new RetryLater(retry.countdown_ms);
  }

  function runOne(ctx: RunContext, msg: TaskMessage): Promise<Step['retry']> {
    return active.running(msg, () => runHere(ctx, msg, true));
  }

  /** A bundle job (bundle.ts, bundleRunner.ts); its own member's retry is the job's. */
  async function processBundle(job: Job<JobData>, data: BundleJobData): Promise<null> {
    const retry = await runBundle(data, job.id ?? '', job.attemptsStarted > 1);
    if (retry) await retryJob(job, retry.ctx, retry.retry);
    crashPoint('released');
    return null;
  }

  /**
   * Runs `msg`, then each continuation that `pick` lets run here (up to `maxInline`) as if it had been
   * delivered to this worker: same events, same store writes, one job instead of several. Their barrier
   * completions (registrations and done marks, barrier.ts) are held and recorded together in one script
   * call at the end, after every step's jobs were added — the job holds them all until then, so no
   * barrier can be released early; then the barriers released are released here. A redelivered job
   * re-runs the inline steps (at-least-once, like any redelivery) and re-adds only deterministic ids.
   * An inline step that retries leaves this path as a real job delayed by the core's countdown. Returns
   * the retry of `msg` itself when `ownJob` (the caller's job retries it). `held`: completions to record
   * with these (a release whose body runs here), once `after` settled.
   */
  async function runHere(
    ctx: RunContext,
    msg: TaskMessage,
    ownJob: boolean,
    memo: Finals = new Map(),
    held: Done[] = [],
    after?: Promise<unknown>,
  ): Promise<Step['retry']> {
    const own = await runSteps(ctx, msg, ownJob, memo, held);
    await after;
    await settle(ctx, held, memo);
    return own;
  }

  /** `runHere` up to the settling: runs the steps, adds their completions to `held`, finals to `memo`. */
  async function runSteps(
    ctx: RunContext,
    msg: TaskMessage,
    ownJob: boolean,
    memo: Finals,
    held: Done[],
  ): Promise<Step['retry']> {
    let current = msg;
    let left = maxInline;
    let own: Step['retry'];
    const until = performance.now() + maxInlineMs;
    for (let first = true; ; first = false) {
      const inline = left > 0 && performance.now() < until;
      const done = await runAttempt(ctx, current, inline ? (s) => pick(ctx, s) : undefined);
      if (!done) break;
      for (const f of done.step.finals) memo.set(f.task_id, f.final);
      if (done.done) held.push(done.done);
      const retry = done.step.retry;
      if (retry && first && ownJob) {
        own = retry;
        break;
      }
      if (retry) {
        // Still registered (pending) in its barrier by the step that sent it: its own job completes it.
        // Its writes (waiting in the batch when its step added no jobs) go first, as for any add.
        await batch.flush();
        await dispatcher.dispatch(ctx.plan, [
          { message: retry.message, parentBarrier: current.barrier, delay_ms: retry.countdown_ms },
        ]);
      }
      if (!done.next) break;
      current = done.next.message as TaskMessage;
      left--;
    }
    return own;
  }

  /**
   * Records a job's held completions in one script call — the same as the writes still waiting in the
   * batch (steps that added no jobs), after them — then releases what they released. Without
   * completions, the writes are flushed alone: a job never completes with its writes unwritten.
   */
  async function settle(ctx: RunContext, held: readonly Done[], memo: Finals): Promise<void> {
    if (held.length === 0 || contexts.canceled.has(ctx.plan.run_id)) return batch.flush();
    crashPoint('added');
    const answers = await barriers.completeAll(ctx.plan.run_id, held);
    crashPoint('completed');
    for (const c of answers) for (const key of c.released) await releaseKey(ctx, key, c.again, memo);
  }

  async function processBarrier(job: Job<JobData>): Promise<null> {
    const runId = jobRunId(job.data, job.id ?? '');
    const ctx = await contexts.get(runId);
    if (!ctx || contexts.canceled.has(runId)) return null;
    const data = job.data;
    if (isBundleData(data)) return null; // bundles are task jobs (never sent to `barriers`)
    await release(ctx, decodeJobData(ctx.plan, job.id ?? '', data) as BarrierMessage);
    return null;
  }

  function releaseKey(ctx: RunContext, key: string, again: boolean, memo: Finals): Promise<void> {
    return release(ctx, barrierMessage(ctx.plan, key), again, memo);
  }

  /**
   * Releases barrier `b` (this job's completion released it, or a redelivery of that job): reads its
   * header's finals, applies the core's step, then completes `b` in its parent barrier (which may be
   * released in turn); a one-task body runs here, after. The root's release ends the run. `again`: a
   * redelivered job redoes the release (every write is idempotent; the run's end is not written twice).
   */
  async function release(
    ctx: RunContext,
    b: BarrierMessage,
    again = false,
    memo: Finals = new Map(),
  ): Promise<void> {
    const runId = b.run_id;
    if (contexts.canceled.has(runId)) return;
    const finals = await releaseInputs(store, ctx.plan, b, memo);
    const lookup = (id: string) => finals.get(id);
    const now = Date.now() - ctx.startedMs;
    const step = onBarrierReleased(ctx.plan, b, lookup, { now });
    for (const f of step.finals) memo.set(f.task_id, f.final);
    const parent = ctx.plan.barriers[b.barrier]?.parent ?? null;
    if (parent === null) {
      // Redone by a redelivery: the run's end is written once; its cleanup is (re)scheduled anyway.
      if (again && FINAL.has((await store.getStatus(runId)) ?? '')) return cleanup.ended(runId);
      // The root: the run ends. Its jobs are removed a moment later (runCleanup.ts), once this one completed.
      await Promise.all([applyStep(batch, dispatcher, ctx, step, now), cleanup.ended(runId)]);
      contexts.forget(runId);
      return;
    }
    // Fused barrier + body (a chord body that is one task): saves one job per chord, see runHere.
    const body = options.inlineBodies === false ? undefined : pick(ctx, step);
    const mine: Done = { key: b.key, parent, dispatches: step.dispatch };
    if (!body) {
      await applyStep(batch, dispatcher, ctx, step, now);
      return settle(ctx, [mine], memo);
    }
    // The body starts in the same turn: its writes share the release's store flush, and the barrier's
    // completion (which registers the body) is recorded with the body's, in one script call after both
    // were written. The job completes only once both are done.
    const applied = applyStep(batch, dispatcher, ctx, { ...step, dispatch: [] }, now);
    const [rel, ran] = await Promise.allSettled([
      applied,
      runHere(ctx, body.message as TaskMessage, false, memo, [mine], applied),
    ]);
    if (rel.status === 'rejected') throw rel.reason;
    if (ran.status === 'rejected') throw ran.reason;
  }

  const pick = (ctx: RunContext, step: Step) =>
    inlineContinuation(ctx.plan, step, queueNames, contexts.canceled);

  const concurrency = options.concurrency ?? 16;
  const monitor = new RedisMonitor(storeConnection, options.redisUrl, log);
  const workers = await startBullWorkers({
    connection,
    storeConnection,
    prefix: options.prefix,
    name,
    queues: queueNames,
    barriers: options.barriers !== false,
    concurrency,
    lockMs,
    stalledIntervalMs: options.stalledIntervalMs ?? 2000,
    processTask,
    processBarrier,
    monitor,
    log,
  });
  const celeryQueues = (options.queues && options.queues.length > 0 ? options.queues : ['default']).map(
    (q) => (taskQueueName(q) === taskQueueName(undefined) ? 'default' : q),
  );
  const beat = await startWorkerBeat({
    redis: storeConnection,
    keys: store.keys,
    name,
    queues: [...new Set(celeryQueues)],
    concurrency,
    lockMs,
    active,
    log,
  });
  cleanup.start(1000, (err) => {
    if (monitor.up) log?.warn({ worker: name, err: String(err) }, 'could not remove the jobs of ended runs');
  });
  log?.info({ worker: name, queues: [...queueNames], concurrency }, 'worker ready');

  return {
    name,
    async close(timeoutMs = 10_000) {
      await within(cleanup.stop(), 1000, undefined);
      monitor.close();
      // Stop fetching and let running jobs finish, but never longer than the operator allowed: a task
      // that never returns, or a Redis that is gone (BullMQ's close then waits forever), must not keep
      // the process alive. Whatever is still running stalls and is redelivered to another worker.
      const drained = await within(
        Promise.all(workers.map((w) => w.close())).then(() => true),
        timeoutMs,
        false,
      );
      if (!drained) {
        log?.warn({ worker: name }, 'shutdown timeout: tasks still running will be redelivered');
        await within(Promise.all(workers.map((w) => w.close(true))), 300, undefined);
      }
      await beat.stop();
      await within(dispatcher.close(), 300, undefined);
      subscriber.disconnect();
      storeConnection.disconnect();
      connection.disconnect();
    },
  };
}

const FINAL = new Set(['success', 'error', 'canceled']);
