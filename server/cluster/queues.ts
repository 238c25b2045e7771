/**
 * How the core's messages map onto BullMQ: task messages are jobs in task queues (`tasks`, or
 * `task.<queue>` for a task routed to a named queue), barrier messages are parent jobs in `barriers`.
 * Job id = message key (deterministic, so a redelivered job that re-adds its continuations adds nothing).
 */
import { type FlowJob, FlowProducer, type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Dispatch, Message, RunPlan } from '../../lib/engine/types';
import { encodeJobData, type JobData } from './jobData';

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
 * countdown. Jobs are kept until the run ends (deterministic ids are idempotent only while they exist).
 */
function jobOptions(prefix: string, d: Dispatch): JobsOptions & { ignoreDependencyOnFailure?: boolean } {
  const opts: JobsOptions = {
    jobId: d.message.key,
    attempts: 1_000_000,
    backoff: { type: 'celery' },
    // Kept after completion and failure: BullMQ's default (no `removeOn…` option, none on the workers).
  };
  if (d.delay_ms > 0) opts.delay = Math.round(d.delay_ms);
  // Celery priority on Redis: lower runs first, none = first of all; BullMQ: 1 is the highest, 0 = none.
  // Clamped: validation allows 0..255, and BullMQ throws past 2^21 (a canvas is hostile input).
  if (d.message.kind === 'task' && d.message.priority !== undefined)
    opts.priority = Math.min(255, Math.max(0, Math.floor(d.message.priority) || 0)) + 1;
  if (d.parentBarrier) {
    opts.parent = { id: d.parentBarrier, queue: `${prefix}:${BARRIER_QUEUE}` };
    // Safety net: a child that ever fails must not leave its barrier waiting forever.
    opts.ignoreDependencyOnFailure = true;
  }
  return opts;
}

/** Flows per MULTI when flows dispatched together are added together (a long MULTI holds Redis). */
const FLOW_BATCH = 64;

/** Queue of gate jobs (streamed flows); no worker consumes it. */
export const GATE_QUEUE = 'gates';
const GATE_DELAY_MS = 30 * 24 * 3_600_000;

export interface DispatcherOptions {
  /**
   * A barrier dispatched with more children than this is streamed: added in batches of this size
   * instead of one MULTI (a 20,000-job MULTI holds Redis for seconds, and every worker's lock renewal
   * waits behind it — false stalls, tasks run twice). Used for submits, where nothing is redelivered.
   */
  streamAbove?: number;
}

export class Dispatcher {
  private readonly queues = new Map<string, Queue>();
  private readonly flows: FlowProducer;

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
    private readonly options: DispatcherOptions = {},
  ) {
    this.flows = new FlowProducer({ connection, prefix });
    // Connection errors are the Redis monitor's to report (one line per outage): without a listener
    // BullMQ prints every reconnection attempt's ECONNREFUSED with its stack to stderr.
    this.flows.on('error', () => {});
  }

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      q.on('error', () => {});
      this.queues.set(name, q);
    }
    return q;
  }

  private toFlow(plan: RunPlan, d: Dispatch, nested = false): FlowJob {
    const opts = jobOptions(this.prefix, d);
    // Nested nodes get their parent from the tree (the flow producer links them); only the root may name one.
    if (nested) delete opts.parent;
    const node = {
      name: d.message.kind === 'barrier' ? 'barrier' : d.message.name,
      queueName: queueOf(plan, d.message),
      data: encodeJobData(plan, d.message),
      opts,
      ...(d.children && d.children.length > 0
        ? { children: d.children.map((c) => this.toFlow(plan, c, true)) }
        : {}),
    };
    // BullMQ's flow types forbid `parent` on nested nodes (removed above) but cannot express the recursion.
    return node as FlowJob;
  }

  /**
   * Group commit for flows: every flow dispatched in the same event-loop turn (independent submits
   * arriving together, chord-shaped continuations of jobs finishing together) goes to Redis in one
   * MULTI of at most FLOW_BATCH flows instead of one each. Each caller still waits for its own flow;
   * if a batch fails, its flows are added one by one, so a bad flow fails only its own caller.
   */
  private addFlow(flow: FlowJob): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingFlows.push({ flow, resolve, reject });
      if (!this.flowsScheduled) {
        this.flowsScheduled = true;
        setImmediate(() => void this.addPendingFlows());
      }
    });
  }

  private pendingFlows: Array<{ flow: FlowJob; resolve: () => void; reject: (e: unknown) => void }> = [];
  private flowsScheduled = false;

  private async addPendingFlows(): Promise<void> {
    this.flowsScheduled = false;
    const pending = this.pendingFlows;
    this.pendingFlows = [];
    const one = (p: (typeof pending)[number]) => this.flows.add(p.flow).then(() => p.resolve(), p.reject);
    const batches: Array<typeof pending> = [];
    for (let i = 0; i < pending.length; i += FLOW_BATCH) batches.push(pending.slice(i, i + FLOW_BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        if (batch.length === 1 && batch[0]) return one(batch[0]);
        try {
          await this.flows.addBulk(batch.map((p) => p.flow));
        } catch {
          return Promise.all(batch.map(one));
        }
        for (const p of batch) p.resolve();
      }),
    );
  }

  /** True when job `id` exists in queue `name` (whatever its state). */
  async jobExists(name: string, id: string): Promise<boolean> {
    return (await this.connection.exists(`${this.prefix}:${name}:${id}`)) === 1;
  }

  /** Adds every dispatch (flows for barriers with children, bulk adds per queue for the rest). */
  async dispatch(plan: RunPlan, dispatches: readonly Dispatch[]): Promise<void> {
    if (dispatches.length === 0) return;
    const flows: FlowJob[] = [];
    const streamed: Dispatch[] = [];
    const plain = new Map<string, Array<{ name: string; data: JobData; opts: JobsOptions }>>();
    const above = this.options.streamAbove;
    for (const d of dispatches) {
      if (above && d.message.kind === 'barrier' && (d.children?.length ?? 0) > above) {
        streamed.push(d);
        continue;
      }
      if (d.children && d.children.length > 0) {
        const flow = this.toFlow(plan, d);
        flows.push(flow);
        continue;
      }
      const q = queueOf(plan, d.message);
      const list = plain.get(q) ?? [];
      list.push({
        name: d.message.kind === 'barrier' ? 'barrier' : d.message.name,
        data: encodeJobData(plan, d.message),
        opts: jobOptions(this.prefix, d),
      });
      plain.set(q, list);
    }
    const work: Array<Promise<unknown>> = [];
    for (const flow of flows) work.push(this.addFlow(flow));
    for (const [q, jobs] of plain) work.push(this.queue(q).addBulk(jobs));
    await Promise.all(work);
    for (const d of streamed) await this.stream(plan, d, above ?? 500);
  }

  /**
   * Adds barrier `d` with its first `size` children and a *gate* child (a job in a queue nobody
   * consumes), then the other children in batches of `size` under the same parent, then removes the
   * gate. The gate keeps the barrier in `waiting-children` however fast the first children finish;
   * removing it is BullMQ's own "last dependency gone → parent to wait", atomic in Lua.
   */
  private async stream(plan: RunPlan, d: Dispatch, size: number): Promise<void> {
    const children = d.children ?? [];
    const parent = { id: d.message.key, queue: `${this.prefix}:${BARRIER_QUEUE}` };
    const gateId = `${d.message.key}.gate`;
    const head = this.toFlow(plan, { ...d, children: children.slice(0, size) });
    head.children = [
      {
        name: 'gate',
        queueName: GATE_QUEUE,
        data: { kind: 'gate' },
        opts: { jobId: gateId, delay: GATE_DELAY_MS, removeOnComplete: false, removeOnFail: false },
      },
      ...(head.children ?? []),
    ];
    await this.flows.add(head);
    for (let i = size; i < children.length; i += size) {
      const subflows: FlowJob[] = [];
      const plain = new Map<string, Array<{ name: string; data: JobData; opts: JobsOptions }>>();
      for (const c of children.slice(i, i + size)) {
        if (c.children && c.children.length > 0) {
          const f = this.toFlow(plan, c);
          f.opts = { ...f.opts, parent, ignoreDependencyOnFailure: true } as NonNullable<FlowJob['opts']>;
          subflows.push(f);
          continue;
        }
        const q = queueOf(plan, c.message);
        const list = plain.get(q) ?? [];
        const opts = { ...jobOptions(this.prefix, c), parent, ignoreDependencyOnFailure: true };
        list.push({
          name: c.message.kind === 'barrier' ? 'barrier' : c.message.name,
          data: encodeJobData(plan, c.message),
          opts,
        });
        plain.set(q, list);
      }
      const work: Array<Promise<unknown>> = [];
      if (subflows.length > 0) work.push(this.flows.addBulk(subflows));
      for (const [q, jobs] of plain) work.push(this.queue(q).addBulk(jobs));
      await Promise.all(work);
    }
    await this.queue(GATE_QUEUE).remove(gateId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flows.close();
  }
}
