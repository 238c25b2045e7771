/**
 * How the core's messages map onto BullMQ: task messages are plain jobs in task queues (`tasks`, or
 * `task.<queue>` for a task routed to a named queue). Barriers are not BullMQ parents but our own
 * (barrier.ts); a barrier is a job in `barriers` only when a submit finds it releasable at once (a chord
 * with an empty header). Job id = message key (deterministic, so a redelivered job that re-adds its
 * continuations adds nothing).
 */
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BarrierMessage, Dispatch, Message, RunPlan } from '../../lib/engine/types';
import { BulkAdder } from './bulkAdd';
import { bundleJobs, DEFAULT_BUNDLE_BACKLOG, type JobPlan, packBundles, type TaskDispatch } from './bundle';
import { encodeBundleData, encodeJobData, type JobData } from './jobData';

export const BARRIER_QUEUE = 'barriers';
export const DEFAULT_TASK_QUEUE = 'tasks';

/** BullMQ queue name of a task routed to `queue` (Celery's `queue` option); undefined = default queue. */
export function taskQueueName(queue: string | undefined): string {
  return queue && queue !== 'celery' && queue !== 'default' ? `task.${queue}` : DEFAULT_TASK_QUEUE;
}

/** The queue a message goes to. */
export function queueOf(plan: RunPlan, message: Message): string {
  if (message.kind === 'barrier') return BARRIER_QUEUE;
  const options = message.dynamic?.options ?? plan.tasks[message.task]?.options;
  return taskQueueName(options?.queue);
}

/**
 * Jobs are never failed (the core turns final failures into completed jobs) and retried only by our
 * own decision: `attempts` is effectively unbounded, the `celery` backoff strategy returns the core's
 * countdown. Jobs are kept until the run ends (deterministic ids are idempotent only while they exist;
 * runCleanup.ts removes them). No BullMQ parent: barriers are our own (barrier.ts).
 */
/** Every job's backoff (BullMQ copies it into the job's options: one object for all). */
const CELERY_BACKOFF = Object.freeze({ type: 'celery' });

function jobOptions(d: Dispatch): JobsOptions {
  const opts: JobsOptions = {
    jobId: d.message.key,
    attempts: 1_000_000,
    backoff: CELERY_BACKOFF,
    // Kept after completion and failure: BullMQ's default (no `removeOn…` option, none on the workers).
  };
  if (d.delay_ms > 0) opts.delay = Math.round(d.delay_ms);
  // Celery priority on Redis: lower runs first, none = first of all; BullMQ: 1 is the highest, 0 = none.
  // Clamped: validation allows 0..255, and BullMQ throws past 2^21 (a canvas is hostile input).
  if (d.message.kind === 'task' && d.message.priority !== undefined)
    opts.priority = Math.min(255, Math.max(0, Math.floor(d.message.priority) || 0)) + 1;
  return opts;
}

type BulkJob = { name: string; data: JobData; opts: JobsOptions };

function bulkJob(plan: RunPlan, job: JobPlan): BulkJob {
  if ('one' in job)
    return {
      name: job.one.message.name,
      data: encodeJobData(plan, job.one.message),
      opts: jobOptions(job.one),
    };
  return {
    name: job.first.message.name,
    data: encodeBundleData(plan, job.members),
    opts: jobOptions(job.first),
  };
}

/** A queue's backlog reading is used for this long after it was taken (a later add takes a new one). */
const BACKLOG_FRESH_MS = 1000;

export interface DispatcherOptions {
  /**
   * Jobs per MULTI (default 500): a 20,000-job MULTI holds Redis for seconds, and every worker's lock
   * renewal waits behind it (false stalls, tasks run twice). Adds need no atomicity: a barrier counts
   * its members itself (barrier.ts), registered in the same script that completes the sender.
   */
  batch?: number;
  /**
   * Small headers' members go as one job (bundle.ts) when the jobs sent to a queue in one tick plus the
   * jobs last seen waiting in it reach this (default DEFAULT_BUNDLE_BACKLOG): the queue is backlogged and
   * its workers busy. 0 = always, Infinity = never.
   */
  bundleBacklog?: number;
}

/** Jobs per bulk script call (bulkAdd.ts): one call runs BullMQ's add script for each, holding Redis. */
const BULK_JOBS = 100;

export class Dispatcher {
  private readonly queues = new Map<string, Queue>();
  private readonly batch: number;
  private readonly bulk: BulkAdder;
  private readonly bundleBacklog: number;
  /** Per queue: the jobs waiting in it after this dispatcher's last add there, and when that was. */
  private readonly backlog = new Map<string, { waiting: number; at: number }>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
    options: DispatcherOptions = {},
  ) {
    this.batch = Math.max(1, options.batch ?? 500);
    this.bulk = new BulkAdder(connection);
    this.bundleBacklog = options.bundleBacklog ?? DEFAULT_BUNDLE_BACKLOG;
  }

  /** The jobs last seen waiting in `queue` (0 when that reading is stale or there is none). */
  private waiting(queue: string): number {
    const b = this.backlog.get(queue);
    return b && performance.now() - b.at < BACKLOG_FRESH_MS ? b.waiting : 0;
  }

  /**
   * Adds `jobs` to `q`: standard ones (no delay, priority or parent) BULK_JOBS per script call
   * (bulkAdd.ts), any other mix with BullMQ's `addBulk`.
   */
  private async addMany(q: Queue, jobs: BulkJob[]): Promise<void> {
    if (!this.bulk.takes(jobs)) {
      await q.addBulk(jobs);
      return;
    }
    const calls: Array<Promise<number>> = [];
    for (let i = 0; i < jobs.length; i += BULK_JOBS)
      calls.push(this.bulk.add(q, jobs.slice(i, i + BULK_JOBS)));
    const waiting = await Promise.all(calls);
    this.backlog.set(q.name, { waiting: Math.max(...waiting), at: performance.now() });
  }

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      // Connection errors are the Redis monitor's to report (one line per outage): without a listener
      // BullMQ prints every reconnection attempt's ECONNREFUSED with its stack to stderr.
      q.on('error', () => {});
      this.queues.set(name, q);
    }
    return q;
  }

  /** True when job `id` exists in queue `name` (whatever its state). */
  async jobExists(name: string, id: string): Promise<boolean> {
    return (await this.connection.exists(`${this.prefix}:${name}:${id}`)) === 1;
  }

  /**
   * Adds the jobs of every task message in `dispatches` (a barrier is not a job: its initial children
   * are). Barrier jobs are added only with `addBarrierJob`. `bundle: false`: one job per message, however
   * backlogged the queue (a bundle's members sent out on their own: a redelivered bundle finds each
   * one's job by its key).
   */
  async dispatch(
    plan: RunPlan,
    dispatches: readonly Dispatch[],
    options: { bundle?: boolean } = {},
  ): Promise<void> {
    if (dispatches.length === 0) return;
    const byQueue = new Map<string, TaskDispatch[]>();
    const add = (d: Dispatch) => {
      if (d.message.kind === 'barrier') {
        for (const c of d.children ?? []) add(c);
        return;
      }
      const q = queueOf(plan, d.message);
      let list = byQueue.get(q);
      if (!list) {
        list = [];
        byQueue.set(q, list);
      }
      list.push(d as TaskDispatch);
    };
    for (const d of dispatches) add(d);
    await Promise.all(
      [...byQueue].map(([q, list]) => {
        const bundled = () => {
          const jobs = bundleJobs(list);
          return jobs && packBundles(jobs.map((j) => bulkJob(plan, j)));
        };
        const jobs = list.map((d) => bulkJob(plan, { one: d }));
        return this.addJobs(q, jobs, options.bundle === false ? undefined : bundled);
      }),
    );
  }

  /** Adds the job that releases barrier `message` (a barrier a submit found releasable at once). */
  addBarrierJob(plan: RunPlan, message: BarrierMessage): Promise<void> {
    return this.addJobs(BARRIER_QUEUE, [
      {
        name: 'barrier',
        data: encodeJobData(plan, message),
        opts: jobOptions({ message, parentBarrier: null, delay_ms: 0 }),
      },
    ]);
  }

  /**
   * Group commit: every job added to a queue in the same event-loop turn (independent submits arriving
   * together, continuations of jobs finishing together) goes to Redis in MULTIs of at most `batch`
   * jobs. Each caller waits for its own jobs; if a MULTI fails, its callers' jobs are added per caller,
   * so a bad job fails only its own caller. `bundled`: the same jobs with small headers bundled, taken
   * instead when the queue is backlogged (bundle.ts).
   */
  private addJobs(queue: string, jobs: BulkJob[], bundled?: () => BulkJob[] | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      let pending = this.pending.get(queue);
      if (!pending) {
        pending = [];
        this.pending.set(queue, pending);
      }
      pending.push({ jobs, bundled, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.addPending());
      }
    });
  }

  private pending = new Map<
    string,
    Array<{
      jobs: BulkJob[];
      bundled: (() => BulkJob[] | undefined) | undefined;
      resolve: () => void;
      reject: (e: unknown) => void;
    }>
  >();
  private scheduled = false;

  private async addPending(): Promise<void> {
    this.scheduled = false;
    const all = this.pending;
    this.pending = new Map();
    const work: Array<Promise<unknown>> = [];
    for (const [name, callers] of all) {
      const q = this.queue(name);
      let sent = this.waiting(q.name);
      for (const c of callers) sent += c.jobs.length;
      if (sent >= this.bundleBacklog) for (const c of callers) c.jobs = c.bundled?.() ?? c.jobs;
      // `viaBullmq`: a caller retried alone after its group failed goes BullMQ's own way.
      const one = async (c: (typeof callers)[number], viaBullmq = false) => {
        try {
          for (let i = 0; i < c.jobs.length; i += this.batch) {
            const part = c.jobs.slice(i, i + this.batch);
            await (viaBullmq ? q.addBulk(part) : this.addMany(q, part));
          }
          c.resolve();
        } catch (err) {
          c.reject(err);
        }
      };
      // Callers packed into MULTIs of about `batch` jobs; a caller bigger than that is added alone, in parts.
      let group: typeof callers = [];
      let size = 0;
      const flush = (g: typeof callers) => {
        if (g.length === 0) return;
        const only = g[0];
        if (g.length === 1 && only) {
          work.push(one(only));
          return;
        }
        // Bundles of different callers (independent runs) packed together. If the group fails, each caller
        // adds its own jobs again: a packed job that did get in and the caller's own bundle may then both
        // carry a member, which runs twice — at-least-once, as after a redelivery (completions are
        // idempotent by key, barrier.ts).
        work.push(
          this.addMany(q, packBundles(g.flatMap((c) => c.jobs))).then(
            () => {
              for (const c of g) c.resolve();
            },
            () => Promise.all(g.map((c) => one(c, true))),
          ),
        );
      };
      for (const c of callers) {
        if (size + c.jobs.length > this.batch && group.length > 0) {
          flush(group);
          group = [];
          size = 0;
        }
        group.push(c);
        size += c.jobs.length;
      }
      flush(group);
    }
    await Promise.all(work);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
