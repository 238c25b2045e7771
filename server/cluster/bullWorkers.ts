/**
 * The BullMQ workers under a Chordflow worker (worker.ts): one per task queue it consumes and one for
 * `barriers`, with the options every job needs (the core's retry countdowns as BullMQ backoff) and one
 * place that tells the operator about their errors.
 */
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import { isConnectionError, type RedisMonitor } from '../redis/monitor';
import type { JobData } from './jobData';
import { BARRIER_QUEUE } from './queues';
import { workerErrorReporter } from './workerErrors';

/** Thrown to retry an attempt after the core's countdown (read back by the `celery` backoff strategy). */
export class RetryLater extends Error {
  constructor(readonly countdownMs: number) {
    super(`retry in ${countdownMs} ms`);
    this.name = 'RetryLater';
  }
}

export interface BullWorkersOptions {
  connection: Redis;
  /** For the lost-lock check (is the job still in one of these queues?), off BullMQ's connection. */
  storeConnection: Redis;
  prefix: string;
  name: string;
  /** BullMQ task queue names. */
  queues: Iterable<string>;
  barriers: boolean;
  concurrency: number;
  lockMs: number;
  stalledIntervalMs: number;
  processTask: (job: Job<JobData>) => Promise<null>;
  processBarrier: (job: Job<JobData>) => Promise<null>;
  monitor: RedisMonitor;
  log: Logger | undefined;
}

/** Starts the workers and resolves once each is ready. */
export async function startBullWorkers(o: BullWorkersOptions): Promise<Worker[]> {
  const workerOpts = {
    connection: o.connection,
    prefix: o.prefix,
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.stalledIntervalMs,
    maxStalledCount: 1_000,
    name: o.name,
    settings: {
      // The core's countdown; any other error (Redis unreachable while applying a step) retries the
      // whole message after a second — redelivery is at-least-once and every write is idempotent by key.
      backoffStrategy: (_attempts: number, _type?: string, err?: Error) =>
        err instanceof RetryLater ? err.countdownMs : 1000,
    },
  };
  const queues = [...o.queues];
  const workers: Worker[] = queues.map((q) => new Worker<JobData>(q, o.processTask, workerOpts));
  if (o.barriers) workers.push(new Worker<JobData>(BARRIER_QUEUE, o.processBarrier, workerOpts));
  // A lost lock is not a lost job: Redis is asked whether the job is still in one of this worker's queues.
  const jobQueues = [...queues, ...(o.barriers ? [BARRIER_QUEUE] : [])];
  const reportError = workerErrorReporter(
    (fields, message) => o.log?.warn({ ...fields, worker: o.name }, message),
    {
      lockMs: o.lockMs,
      exists: async (jobId) =>
        (await o.storeConnection.exists(...jobQueues.map((q) => `${o.prefix}:${q}:${jobId}`))) > 0,
    },
  );
  for (const w of workers) {
    // One log line per Redis outage (the monitor's), not one per reconnection attempt of each queue.
    w.on('error', (err) => {
      if (o.monitor.up && !isConnectionError(err)) reportError(err);
    });
    w.on('failed', (job, err) => {
      if (!(err instanceof RetryLater) && o.monitor.up)
        o.log?.error({ job: job?.id, err: err.message }, 'job failed unexpectedly');
    });
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return workers;
}
