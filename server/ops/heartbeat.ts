/**
 * What a worker tells the operator about itself, every few seconds: who it is, which queues it consumes,
 * its concurrency and the tasks it is running now. Written to `<p>:workers:info` (and the `<p>:workers`
 * zset of heartbeats); read by /api/health, /metrics, the Workers page and the submit-time queue check.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../runs/keys';

/** A worker is live when its last heartbeat is at most this old. */
export const WORKER_LIVE_MS = 15_000;
export const HEARTBEAT_MS = 5_000;

export interface ActiveTask {
  run_id: string;
  task_id: string;
  name: string;
  /** Epoch ms the job started on this worker. */
  since: number;
}

export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  /** Celery queue names consumed (`default` for the default queue). */
  queues: string[];
  concurrency: number;
  /** Epoch ms the worker started. */
  started: number;
  /** Epoch ms of the last heartbeat. */
  beat: number;
  active: ActiveTask[];
  /**
   * The longest the worker's event loop was held since it started (ms). That loop renews the worker's
   * job locks: near the lock duration (CHORDFLOW_LOCK_MS), a running task risks being taken for stalled
   * and run again.
   */
  loop_delay_max_ms?: number;
}

/** Writes one heartbeat (and forgets workers silent for an hour). */
export async function writeHeartbeat(redis: Redis, keys: Keys, info: WorkerInfo): Promise<void> {
  await redis
    .multi()
    .zadd(keys.workers, info.beat, info.name)
    .hset(keys.workerInfo, info.name, JSON.stringify({ ...info, active: info.active.slice(0, 100) }))
    .zremrangebyscore(keys.workers, '-inf', info.beat - 3_600_000)
    .exec();
}

/** Removes a worker that stops cleanly, so it disappears from the live list at once. */
export async function removeHeartbeat(redis: Redis, keys: Keys, name: string): Promise<void> {
  await redis.multi().zrem(keys.workers, name).hdel(keys.workerInfo, name).exec();
}

/** Live workers (heartbeat within WORKER_LIVE_MS), newest first; drops info of long-gone workers. */
export async function liveWorkers(redis: Redis, keys: Keys, now = Date.now()): Promise<WorkerInfo[]> {
  const names = await redis.zrevrangebyscore(keys.workers, '+inf', now - WORKER_LIVE_MS);
  if (names.length === 0) return [];
  const raw = await redis.hmget(keys.workerInfo, ...names);
  return names.map((name, i) => {
    const text = raw[i];
    if (text) {
      try {
        return JSON.parse(text) as WorkerInfo;
      } catch {
        // fall through: a worker of an older version wrote only the zset
      }
    }
    return { name, host: '', pid: 0, queues: [], concurrency: 0, started: 0, beat: now, active: [] };
  });
}
