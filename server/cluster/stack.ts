/**
 * The back end of `chordflow serve` in one call, also used by tests and benchmarks: Redis (given or
 * found), task registry, mock model service, in-process workers, the cluster client and the API handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { ServerConfig } from '../config';
import { createApiHandler } from '../http/api/index';
import type { Logger } from '../log';
import { type ModelService, startModelService } from '../modelService/service';
import { createRedis } from '../redis/connection';
import { ensureRedis, type RedisAvailability } from '../redis/ensureRedis';
import { DefinitionStore } from '../runs/definitions';
import { loadTaskRegistry, type TaskRegistry } from '../tasks/registry';
import { ClusterClient } from './client';
import { type ClusterWorker, startClusterWorker } from './worker';

export interface Stack {
  redisUrl?: string;
  redis?: Redis;
  client?: ClusterClient;
  registry: TaskRegistry;
  workers: ClusterWorker[];
  modelService?: ModelService;
  modelServiceUrl?: string;
  redisUnavailable?: string;
  api: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  close(): Promise<void>;
}

export interface StackOptions {
  config: ServerConfig;
  log?: Logger;
  /** Start a local redis-server when REDIS_URL does not answer (serve); tests pass false. */
  startLocalRedis?: boolean;
  /** Start the mock model service in-process when MODEL_SERVICE_URL is not set (port from config; 0 = any). */
  startModelService?: boolean;
  /** In-process workers to start (default config.workerCount). */
  workers?: number;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { config, log } = options;
  const registry = await loadTaskRegistry(config.tasksDir);
  for (const p of registry.problems) log?.warn(p);

  let modelService: ModelService | undefined;
  let modelServiceUrl = config.modelServiceUrl;
  if (!modelServiceUrl && options.startModelService !== false) {
    modelService = await startModelService({ port: config.modelServicePort }).catch(async () =>
      startModelService({ port: 0 }),
    );
    modelServiceUrl = modelService.url;
    log?.info({ url: modelService.url }, 'mock model service started');
  }

  let availability: RedisAvailability;
  if (options.startLocalRedis === false) {
    const { isRedisReachable } = await import('../redis/connection');
    availability = (await isRedisReachable(config.redisUrl))
      ? { kind: 'external', url: config.redisUrl }
      : { kind: 'none', reason: `Redis at ${config.redisUrl} does not answer.` };
  } else {
    availability = await ensureRedis({ url: config.redisUrl, explicit: config.redisUrlExplicit });
  }

  const workers: ClusterWorker[] = [];
  let redis: Redis | undefined;
  let client: ClusterClient | undefined;
  let definitions: DefinitionStore | undefined;
  let redisUnavailable: string | undefined;
  if (availability.kind === 'none') {
    redisUnavailable = availability.reason;
    log?.warn(availability.reason);
  } else {
    if (availability.kind === 'local')
      log?.info({ url: availability.url }, 'started a local redis-server (AOF on)');
    redis = createRedis(availability.url);
    redis.on('error', (err) => log?.warn({ err: err.message }, 'redis connection error'));
    client = new ClusterClient(redis, config.keyPrefix, registry.catalogue);
    definitions = new DefinitionStore(redis, client.store.keys);
    const n = options.workers ?? config.workerCount;
    for (let i = 0; i < n; i++) {
      workers.push(
        await startClusterWorker({
          redisUrl: availability.url,
          prefix: config.keyPrefix,
          registry,
          concurrency: config.workerConcurrency,
          queues: config.workerQueues,
          lockDurationMs: config.lockDurationMs,
          stalledIntervalMs: config.stalledIntervalMs,
          ...(modelServiceUrl ? { modelServiceUrl } : {}),
          ...(log ? { log } : {}),
        }),
      );
    }
  }

  const api = createApiHandler({
    ...(client ? { client } : {}),
    ...(definitions ? { definitions } : {}),
    ...(redis ? { redis } : {}),
    ...(redisUnavailable ? { redisUnavailable } : {}),
    ...(config.apiToken ? { apiToken: config.apiToken } : {}),
    security: config.security,
    limits: config.canvasLimits,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(modelServiceUrl ? { modelServiceUrl } : {}),
  });

  return {
    ...(availability.kind !== 'none' ? { redisUrl: availability.url } : {}),
    ...(redis ? { redis } : {}),
    ...(client ? { client } : {}),
    registry,
    workers,
    ...(modelService ? { modelService } : {}),
    ...(modelServiceUrl ? { modelServiceUrl } : {}),
    ...(redisUnavailable ? { redisUnavailable } : {}),
    api,
    async close() {
      await Promise.all(workers.map((w) => w.close(config.shutdownTimeoutMs)));
      await client?.close().catch(() => {});
      redis?.disconnect();
      await modelService?.close();
      if (availability.kind === 'local') await availability.stop();
    },
  };
}
