/**
 * GET /metrics — Prometheus text format (prom-client), what Flower users scrape today:
 *   chordflow_tasks_total{state}                 task events seen (started, succeeded, failed, retried, revoked)
 *   chordflow_task_duration_seconds{outcome}     attempt latency (task.started → its outcome)
 *   chordflow_run_duration_seconds{status}       run latency (start → run.finished)
 *   chordflow_runs_finished_total{status}
 *   chordflow_queue_jobs{queue,state}            BullMQ job counts per queue (waiting, active, delayed, …)
 *   chordflow_runs_in_flight / chordflow_runs_without_progress   (the watchdog's last scan)
 *   chordflow_workers_live / chordflow_worker_active_tasks{worker} / chordflow_redis_up
 *   plus prom-client's process metrics.
 * Task and run figures come from the run event stream every web process already reads (one PUBLISH
 * per append, see server/runs/runStore.ts), so workers carry no metrics code on their hot path; like any
 * Prometheus counter they start from zero when the process starts.
 */
import type { Redis } from 'ioredis';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Dispatcher } from '../cluster/queues';
import { BARRIER_QUEUE, taskQueueName } from '../cluster/queues';
import { createRedis } from '../redis/connection';
import type { RedisMonitor } from '../redis/monitor';
import type { Keys } from '../runs/keys';
import type { OpsView } from './opsView';

const STATES: Record<string, string> = {
  'task.started': 'started',
  'task.succeeded': 'succeeded',
  'task.failed': 'failed',
  'task.retried': 'retried',
  'task.revoked': 'revoked',
};
const OUTCOMES: Record<string, string> = {
  'task.succeeded': 'success',
  'task.failed': 'failure',
  'task.retried': 'retry',
};
/** Event types (as they appear in a published append) that `observe` counts. */
const COUNTED = [...Object.keys(STATES), 'run.finished'].map((t) => `"${t}"`);
// No `waiting-children`: barriers are Chordflow's own (server/cluster/barrier.ts), not BullMQ parents.
const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
/** Attempts in flight remembered for latency (oldest forgotten first). */
const MAX_OPEN = 100_000;

interface Published {
  run_id: string;
  events: Array<{ type?: string; at?: number; task_id?: string; attempt?: number; status?: string }>;
}

export interface MetricsOptions {
  redisUrl: string;
  /** Reads the named queues runs sent to (`keys.queues`). */
  redis: Pick<Redis, 'sscan'>;
  keys: Keys;
  dispatcher: Dispatcher;
  ops: OpsView;
  monitor?: RedisMonitor;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly tasks: Counter<'state'>;
  private readonly taskDuration: Histogram<'outcome'>;
  private readonly runDuration: Histogram<'status'>;
  private readonly runsFinished: Counter<'status'>;
  private readonly open = new Map<string, number>();
  private subscriber: Redis | undefined;

  constructor(private readonly options: MetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.tasks = new Counter({
      name: 'chordflow_tasks_total',
      help: 'Task events seen, by state',
      labelNames: ['state'],
      registers,
    });
    this.taskDuration = new Histogram({
      name: 'chordflow_task_duration_seconds',
      help: 'Attempt latency from task.started to its outcome',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.runDuration = new Histogram({
      name: 'chordflow_run_duration_seconds',
      help: 'Run latency from start to run.finished',
      labelNames: ['status'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800],
      registers,
    });
    this.runsFinished = new Counter({
      name: 'chordflow_runs_finished_total',
      help: 'Runs finished, by status',
      labelNames: ['status'],
      registers,
    });
    const opts = this.options;
    new Gauge({
      name: 'chordflow_redis_up',
      help: '1 when Redis answers',
      registers,
      collect() {
        this.set(opts.monitor && !opts.monitor.up ? 0 : 1);
      },
    });
    new Gauge({
      name: 'chordflow_runs_in_flight',
      help: 'Runs pending or in progress (watchdog scan)',
      registers,
      collect() {
        this.set(opts.ops.runs().inFlight);
      },
    });
    new Gauge({
      name: 'chordflow_runs_without_progress',
      help: 'Runs with no new event for longer than CHORDFLOW_STUCK_MS (watchdog scan)',
      registers,
      collect() {
        this.set(opts.ops.runs().stuck.length);
      },
    });
    const workersLive = new Gauge({
      name: 'chordflow_workers_live',
      help: 'Workers with a recent heartbeat',
      registers,
    });
    const workerActive = new Gauge({
      name: 'chordflow_worker_active_tasks',
      help: 'Tasks running on each live worker',
      labelNames: ['worker'],
      registers,
    });
    const queueJobs = new Gauge({
      name: 'chordflow_queue_jobs',
      help: 'BullMQ jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers,
    });
    // Redis-backed gauges, read at scrape time (a scrape while Redis is away keeps the old values).
    this.refresh = async () => {
      if (opts.monitor && !opts.monitor.up) return;
      const workers = await opts.ops.workers();
      workersLive.set(workers.length);
      workerActive.reset();
      for (const w of workers) workerActive.set({ worker: w.name }, w.active.length);
      const queues = new Set<string>([taskQueueName(undefined), BARRIER_QUEUE]);
      for (const w of workers) for (const q of w.queues) queues.add(taskQueueName(q));
      // Queues runs sent to that may have no worker at all (written at submit; a bounded scan).
      const [, named] = await opts.redis.sscan(opts.keys.queues, 0, 'COUNT', 200);
      for (const q of named.slice(0, 200)) queues.add(taskQueueName(q));
      for (const q of queues) {
        const counts = await opts.dispatcher.queue(q).getJobCounts(...JOB_STATES);
        for (const s of JOB_STATES) queueJobs.set({ queue: q, state: s }, counts[s] ?? 0);
      }
    };
  }

  private readonly refresh: () => Promise<void>;

  /** Subscribes to the run event stream (resubscribes by itself after a Redis restart). */
  async start(): Promise<void> {
    const sub = createRedis(this.options.redisUrl, { worker: true });
    this.subscriber = sub;
    sub.on('message', (_channel: string, text: string) => this.observe(text));
    await sub.subscribe(this.options.keys.eventsChannel);
  }

  stop(): void {
    this.subscriber?.disconnect();
  }

  // Label children, looked up once: a busy cluster publishes thousands of task events a second, and
  // prom-client validates and hashes the labels of every `inc({state})` / `observe({outcome}, v)`.
  private readonly taskCounters = new Map<string, { inc(): void }>();
  private readonly durations = new Map<string, { observe(v: number): void }>();

  private taskCounter(state: string): { inc(): void } {
    let c = this.taskCounters.get(state);
    if (!c) {
      c = this.tasks.labels({ state });
      this.taskCounters.set(state, c);
    }
    return c;
  }

  private durationOf(outcome: string): { observe(v: number): void } {
    let h = this.durations.get(outcome);
    if (!h) {
      h = this.taskDuration.labels({ outcome });
      this.durations.set(outcome, h);
    }
    return h;
  }

  /** Counts one published append (exported for tests). */
  observe(text: string): void {
    // A submit's first append (run.started + every task.queued) can be megabytes and holds nothing
    // counted here: a substring scan is far cheaper than parsing it on the web process's loop.
    if (!COUNTED.some((t) => text.includes(t))) return;
    let msg: Published;
    try {
      msg = JSON.parse(text) as Published;
    } catch {
      return;
    }
    for (const e of msg.events) {
      const type = e.type ?? '';
      const state = STATES[type];
      if (state) this.taskCounter(state).inc();
      const key = `${msg.run_id}|${e.task_id}|${e.attempt}`;
      if (type === 'task.started' && typeof e.at === 'number') {
        if (this.open.size >= MAX_OPEN) {
          const oldest = this.open.keys().next().value;
          if (oldest !== undefined) this.open.delete(oldest);
        }
        this.open.set(key, e.at);
      }
      const outcome = OUTCOMES[type];
      if (outcome) {
        const started = this.open.get(key);
        if (started !== undefined && typeof e.at === 'number') {
          this.open.delete(key);
          this.durationOf(outcome).observe(Math.max(0, e.at - started) / 1000);
        }
      }
      if (type === 'run.finished' && typeof e.at === 'number') {
        const status = e.status ?? 'unknown';
        this.runsFinished.inc({ status });
        this.runDuration.observe({ status }, Math.max(0, e.at) / 1000);
      }
    }
  }

  /** The exposition text. */
  async text(): Promise<string> {
    await this.refresh().catch(() => {});
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
