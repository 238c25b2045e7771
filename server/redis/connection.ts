/**
 * Redis connections. Workers and blocking readers need `maxRetriesPerRequest: null` (BullMQ requirement);
 * request/response clients fail fast instead, so the API can answer 503 rather than hang.
 */
import { Redis } from 'ioredis';

export function createRedis(url: string, options: { worker?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: options.worker ? null : 2,
    enableReadyCheck: true,
    lazyConnect: false,
  });
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
