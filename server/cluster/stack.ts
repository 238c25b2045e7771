/**
 * The back end of `chordflow serve` in one call, also used by tests and benchmarks: Redis (given or
 * found), task registry, mock model service, in-process workers, the cluster client and the API handler.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { type CeleryConfig, loadCeleryConfig } from '../celery/config';
import { CeleryService } from '../celery/service';
import type { ServerConfig } from '../config';
import { createApiHandler } from '../http/api/index';
import type { Logger } from '../log';
import { type ModelService, startModelService } from '../modelService/service';
import { Metrics } from '../ops/metrics';
import { OpsView } from '../ops/opsView';
import { createRedis } from '../redis/connection';
import { ensureRedis, type RedisAvailability } from '../redis/ensureRedis';
import { RedisMonitor } from '../redis/monitor';
import { DefinitionStore } from '../runs/definitions';
import { definitionsFromYaml, schemaFolderLoader } from '../runs/directorImport';
import { type PeriodicScheduler, startPeriodicScheduler } from '../runs/periodic';
import { within } from '../shutdown';
import { loadTaskRegistry, type TaskRegistry } from '../tasks/registry';
import { ClusterClient } from './client';
import { type OffThreadSubmitter, startOffThreadSubmitter } from './offThreadSubmit';
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
  /** Watches the Redis connection (present whenever `redis` is). */
  monitor?: RedisMonitor;
  /** Live workers and the runs watchdog (present whenever `redis` is). */
  ops?: OpsView;
  api: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Workers get `timeoutMs` (default CHORDFLOW_SHUTDOWN_MS) to finish; nothing here waits on a dead Redis. */
  close(timeoutMs?: number): Promise<void>;
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
  /**
   * When Redis does not answer at start, keep trying and come up when it does (serve) instead of
   * running without one (default false: tests and benches want to know at once).
   */
  waitForRedis?: boolean;
  /** The user's Celery cluster to offer as a run target (default: from CHORDFLOW_CELERY_* variables). */
  celery?: CeleryConfig | null;
  /** Plan and store ad-hoc canvases on a worker thread when the compiled CLI provides one (serve). */
  offThreadSubmit?: boolean;
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
  let monitor: RedisMonitor | undefined;
  let ops: OpsView | undefined;
  let metrics: Metrics | undefined;
  let offThread: OffThreadSubmitter | undefined;
  let closing = false;
  let scheduler: PeriodicScheduler | undefined;
  const redisUrl = availability.kind === 'none' ? config.redisUrl : availability.url;
  if (availability.kind === 'none' && !options.waitForRedis) {
    redisUnavailable = availability.reason;
    log?.warn(availability.reason);
  } else {
    if (availability.kind === 'local')
      log?.info({ url: availability.url }, 'started a local redis-server (AOF on)');
    // With Redis not there yet (waitForRedis) the connection keeps retrying; everything that needs it
    // (API run routes, workers, the live feed) waits for the monitor to say it is up.
    redis = createRedis(redisUrl);
    monitor = new RedisMonitor(redis, redisUrl, log);
    client = new ClusterClient(redis, config.keyPrefix, registry.catalogue, {
      batch: config.submitBatch,
      bundleBacklog: config.bundleBacklog,
    });
    definitions = new DefinitionStore(redis, client.store.keys);
    ops = new OpsView(redis, client.store.keys, {
      stuckAfterMs: config.stuckAfterMs,
      ...(log ? { log } : {}),
    });
    ops.start(config.watchdogIntervalMs);
    metrics = new Metrics({
      redisUrl,
      redis,
      keys: client.store.keys,
      dispatcher: client.dispatcher,
      ops,
      monitor,
    });
    if (options.offThreadSubmit)
      offThread = startOffThreadSubmitter({
        redisUrl,
        prefix: config.keyPrefix,
        tasksDir: config.tasksDir,
        submitBatch: config.submitBatch,
        bundleBacklog: config.bundleBacklog,
      });
    const m = metrics;
    void monitor.whenUp().then(() => m.start().catch(() => {}));
    // Director's workflows.yml and its periodic schedules, once Redis is there.
    const c = client;
    const d = definitions;
    const directorReady = monitor.whenUp().then(async () => {
      if (config.workflowsFile) await importWorkflowsFile(config.workflowsFile, registry, d, log);
      if (closing) return;
      scheduler = await startPeriodicScheduler({
        connection: redisUrl,
        prefix: config.keyPrefix,
        client: c,
        definitions: d,
        ...(log ? { log } : {}),
      });
    });
    directorReady.catch((err: unknown) => log?.error({ err: String(err) }, 'director workflows not loaded'));
    if (availability.kind !== 'none') await directorReady.catch(() => {});
    const n = options.workers ?? config.workerCount;
    const start = async () => {
      for (let i = 0; i < n && !closing; i++) {
        workers.push(
          await startClusterWorker({
            redisUrl,
            prefix: config.keyPrefix,
            registry,
            concurrency: config.workerConcurrency,
            queues: config.workerQueues,
            lockDurationMs: config.lockDurationMs,
            bundleBacklog: config.bundleBacklog,
            stalledIntervalMs: config.stalledIntervalMs,
            ...(modelServiceUrl ? { modelServiceUrl } : {}),
            ...(log ? { log } : {}),
          }),
        );
      }
    };
    if (availability.kind === 'none') {
      const m = monitor;
      void m
        .whenUp()
        .then(start)
        .catch((err: unknown) => log?.error({ err: String(err) }, 'in-process workers could not start'));
    } else await start();
  }

  const celeryConfig = options.celery === undefined ? loadCeleryConfig() : (options.celery ?? undefined);
  const celery =
    celeryConfig && client
      ? new CeleryService({
          ...celeryConfig,
          store: client.store,
          catalogue: registry.catalogue,
          ...(log ? { log: { warn: (m: string) => log.warn(m), info: (m: string) => log.info(m) } } : {}),
        })
      : undefined;
  if (celeryConfig && !client)
    log?.warn('CHORDFLOW_CELERY_BROKER is set but Redis for the run store is not: the Celery target is off.');
  const api = createApiHandler({
    ...(celery ? { celery } : {}),
    ...(client ? { client } : {}),
    ...(definitions ? { definitions } : {}),
    ...(redis ? { redis } : {}),
    ...(redisUnavailable ? { redisUnavailable } : {}),
    ...(monitor ? { monitor } : {}),
    ...(ops ? { ops } : {}),
    ...(metrics ? { metrics } : {}),
    ...(offThread ? { offThread } : {}),
    ...(config.apiToken ? { apiToken: config.apiToken } : {}),
    security: config.security,
    limits: config.canvasLimits,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(modelServiceUrl ? { modelServiceUrl } : {}),
    catalogue: registry.catalogue,
    perPage: {
      default: config.workflowsPerPage,
      max: Math.max(config.workflowsMaxPerPage, config.workflowsPerPage),
    },
    onDefinitionsSaved: async () => {
      await scheduler?.sync();
    },
  });

  return {
    ...(redis ? { redisUrl } : {}),
    ...(monitor ? { monitor } : {}),
    ...(ops ? { ops } : {}),
    ...(redis ? { redis } : {}),
    ...(client ? { client } : {}),
    registry,
    workers,
    ...(modelService ? { modelService } : {}),
    ...(modelServiceUrl ? { modelServiceUrl } : {}),
    ...(redisUnavailable ? { redisUnavailable } : {}),
    api,
    async close(timeoutMs = config.shutdownTimeoutMs) {
      closing = true;
      ops?.stop();
      metrics?.stop();
      await offThread?.close();
      monitor?.close();
      if (scheduler) await within(scheduler.close(), 1000, undefined);
      await Promise.all(workers.map((w) => w.close(timeoutMs)));
      await celery?.close();
      if (client) await within(client.close(), 300, undefined);
      redis?.disconnect();
      await modelService?.close();
      if (availability.kind === 'local') await availability.stop();
    },
  };
}

/**
 * Imports a celery-director workflows.yml at start, as director loads its own: every workflow becomes a
 * definition. A workflow with a problem is left out and logged (the others still load).
 */
async function importWorkflowsFile(
  path: string,
  registry: TaskRegistry,
  definitions: DefinitionStore,
  log: Logger | undefined,
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    log?.warn({ path, err: String(err) }, 'CHORDFLOW_WORKFLOWS cannot be read');
    return;
  }
  const { definitions: defs, problems } = definitionsFromYaml(
    text,
    registry.catalogue,
    schemaFolderLoader(path),
  );
  for (const p of problems) log?.warn({ path }, p);
  await definitions.saveAll(defs);
  log?.info({ path, workflows: defs.length }, 'imported director workflows');
}
