/** Helpers of `chordflow run --celery`: URL checks, reachability, and the optional run store. */

import type { ServerConfig } from '../config';
import { createRedis, isRedisReachable } from '../redis/connection';
import { RunStore } from '../runs/runStore';

export { checkCeleryUrl } from './connection';

export function isCeleryReachable(url: string): Promise<boolean> {
  return isRedisReachable(url);
}

/** The run store at REDIS_URL when it was set explicitly and answers (a CLI run then shows in the runs list). */
export async function storeIfConfigured(
  config: ServerConfig,
): Promise<{ store: RunStore; close(): Promise<void> } | undefined> {
  if (!config.redisUrlExplicit || !(await isRedisReachable(config.redisUrl))) return undefined;
  const redis = createRedis(config.redisUrl);
  return {
    store: new RunStore(redis, config.keyPrefix),
    async close() {
      redis.disconnect();
    },
  };
}
