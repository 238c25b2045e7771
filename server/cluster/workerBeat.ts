/**
 * A worker's side of the heartbeat (server/ops/heartbeat.ts): the tasks it runs now, how long its event
 * loop was ever held, written every HEARTBEAT_MS for the operator's Workers view.
 */
import { hostname } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { TaskMessage } from '../../lib/engine/types';
import type { Logger } from '../log';
import { type ActiveTask, HEARTBEAT_MS, removeHeartbeat, writeHeartbeat } from '../ops/heartbeat';
import type { Keys } from '../runs/keys';
import { within } from '../shutdown';

/** The tasks a worker is running now. */
export class ActiveTasks {
  private readonly tasks = new Map<number, ActiveTask>();
  private seq = 0;

  /** Runs `fn` with `msg` listed as running. */
  async running<T>(msg: TaskMessage, fn: () => Promise<T>): Promise<T> {
    const slot = ++this.seq;
    this.tasks.set(slot, { run_id: msg.run_id, task_id: msg.task_id, name: msg.name, since: Date.now() });
    try {
      return await fn();
    } finally {
      this.tasks.delete(slot);
    }
  }

  list(): ActiveTask[] {
    return [...this.tasks.values()];
  }
}

export interface WorkerBeatOptions {
  redis: Redis;
  keys: Keys;
  name: string;
  /** Celery queue names consumed. */
  queues: string[];
  concurrency: number;
  lockMs: number;
  active: ActiveTasks;
  log: Logger | undefined;
}

/** Writes the first heartbeat, then one every HEARTBEAT_MS; `stop` ends them and removes the worker. */
export async function startWorkerBeat(o: WorkerBeatOptions): Promise<{ stop(): Promise<void> }> {
  const startedAt = Date.now();
  // How long this loop is ever held (a starved loop cannot renew job locks), for the operator.
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  let loopMaxMs = 0;
  const heartbeat = () => {
    const recentMs = loop.max / 1e6;
    loop.reset();
    loopMaxMs = Math.max(loopMaxMs, recentMs);
    if (recentMs > o.lockMs / 2)
      o.log?.warn(
        { worker: o.name, loop_delay_ms: Math.round(recentMs), lock_ms: o.lockMs },
        'the worker event loop was held for more than half the job lock time: tasks may be redelivered',
      );
    return writeHeartbeat(o.redis, o.keys, {
      name: o.name,
      host: hostname(),
      pid: process.pid,
      queues: o.queues,
      concurrency: o.concurrency,
      started: startedAt,
      beat: Date.now(),
      active: o.active.list(),
      loop_delay_max_ms: Math.round(loopMaxMs),
    }).catch(() => {});
  };
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), HEARTBEAT_MS);
  beat.unref();
  return {
    async stop() {
      clearInterval(beat);
      loop.disable();
      await within(removeHeartbeat(o.redis, o.keys, o.name), 300, undefined);
    },
  };
}
