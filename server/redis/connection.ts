/**
 * Redis connections. Workers and blocking readers need `maxRetriesPerRequest: null` (BullMQ requirement);
 * request/response clients fail fast instead, so the API can answer 503 rather than hang.
 */
import { Redis } from 'ioredis';

export function createRedis(url: string, options: { worker?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: options.worker ? null : 2,
    enableReadyCheck: true,
    lazyConnect: false,
  });
  // Without a listener ioredis prints every failed reconnection attempt with a stack trace; the
  // process's RedisMonitor reports the outage once, as a sentence, instead.
  redis.on('error', () => {});
  return redis;
}

/** True when a Redis server answers PING at `url` within `timeoutMs`. Never throws. */
export async function isRedisReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Waits until Redis answers at `url` (polling every `intervalMs`); resolves false if `stop` resolves
 * first (a shutdown signal while waiting).
 */
export async function waitForRedis(url: string, stop: Promise<unknown>, intervalMs = 1000): Promise<boolean> {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  while (!stopped) {
    if (await isRedisReachable(url, Math.min(1500, intervalMs + 500))) return !stopped;
    await Promise.race([stop, new Promise((r) => setTimeout(r, intervalMs).unref())]);
  }
  return false;
}
