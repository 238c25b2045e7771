/**
 * GET /api/health — what an operator (or a load balancer) needs at a glance: Redis, each live worker
 * (heartbeat, queues, concurrency, active tasks), runs without progress, queues with work and no
 * consumer, the model service. `status` is `ok` while Redis answers, else `degraded`; `warnings` are
 * sentences for everything else that needs attention.
 */

import type { WorkerInfo } from '../../ops/heartbeat';
import { REDIS_UNAVAILABLE } from '../../redis/ensureRedis';
import { redactUrl } from '../../redis/monitor';
import type { ApiDeps } from './index';

export async function healthReport(deps: ApiDeps, now = Date.now()): Promise<Record<string, unknown>> {
  let redis: 'ok' | 'down' = 'down';
  let workers: WorkerInfo[] = [];
  const warnings: string[] = [];
  if (deps.redis && deps.client && !deps.monitor?.message()) {
    try {
      if ((await deps.redis.ping()) === 'PONG') redis = 'ok';
      if (deps.ops) workers = await deps.ops.workers(now);
      else {
        const names = await deps.redis.zrangebyscore(deps.client.store.keys.workers, now - 15_000, '+inf');
        workers = names.map((name) => ({
          name,
          host: '',
          pid: 0,
          queues: [],
          concurrency: 0,
          started: 0,
          beat: now,
          active: [],
        }));
      }
    } catch {
      redis = 'down';
    }
  }
  const redisMessage = !deps.client
    ? (deps.redisUnavailable ?? REDIS_UNAVAILABLE)
    : redis === 'down'
      ? (deps.monitor?.message() ??
        `Redis at ${redactUrl(deps.monitor?.url ?? '')} is not answering; runs resume when it is back.`)
      : undefined;
  if (redisMessage) warnings.push(redisMessage);
  else if (workers.length === 0)
    warnings.push('No worker is running: runs wait until one starts (chordflow worker).');
  const runs = deps.ops?.runs();
  for (const s of runs?.stuck ?? [])
    warnings.push(`Run ${s.id} (${s.name}) has made no progress for ${Math.round(s.idle_ms / 1000)} s.`);

  let model: 'ok' | 'down' | 'not configured' = 'not configured';
  if (deps.modelServiceUrl) {
    const base = deps.modelServiceUrl.replace(/\/v1\/predict\/?$/, '').replace(/\/+$/, '');
    try {
      const r = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) });
      model = r.ok ? 'ok' : 'down';
    } catch {
      model = 'down';
    }
  }
  return {
    status: redis === 'ok' ? 'ok' : 'degraded',
    redis: deps.client ? redis : 'not available',
    ...(redisMessage ? { message: redisMessage } : {}),
    ...(deps.monitor ? { redis_url: redactUrl(deps.monitor.url), redis_since: deps.monitor.since } : {}),
    workers: {
      count: workers.length,
      names: workers.map((w) => w.name),
      list: workers.map((w) => ({ ...w, heartbeat_age_ms: Math.max(0, now - w.beat) })),
    },
    runs: runs ? { in_flight: runs.inFlight, checked: runs.checked } : undefined,
    stuck_runs: runs?.stuck ?? [],
    warnings,
    model_service: model,
    ...(deps.celery ? { celery: deps.celery.describe() } : {}),
  };
}
