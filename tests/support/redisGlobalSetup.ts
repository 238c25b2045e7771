import type { TestProject } from 'vitest/node';
import { startPrivateRedis } from './redisServer';

/** Vitest global setup: one private Redis per integration run; tests read it with `testRedisUrl()`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startPrivateRedis();
  process.env.REDIS_URL = redis.url;
  (project.provide as (key: string, value: unknown) => void)('redisUrl', redis.url);
  return () => redis.stop();
}
