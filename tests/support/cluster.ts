/**
 * An in-process Chordflow cluster for integration tests: the private Redis of the integration project,
 * a unique key prefix per suite (so suites never see each other's jobs), in-process workers, optionally
 * the mock model service and the API on a plain HTTP server.
 */
import type { Json } from '../../lib/canvas/model';
import type { RunReport } from '../../lib/protocol/report';
import type { CeleryConfig } from '../../server/celery/config';
import { type Stack, startStack } from '../../server/cluster/stack';
import { loadConfig, type ServerConfig } from '../../server/config';
import { type RunningApiServer, startApiServer } from '../../server/http/apiServer';
import { runReport } from '../../server/runs/report';
import { testRedisUrl } from './testRedisUrl';

export interface TestCluster {
  stack: Stack;
  config: ServerConfig;
  api?: RunningApiServer;
  /** Submits a Canvas JSON value and waits for its report. */
  run(canvas: Json, options?: { runId?: string; timeoutMs?: number }): Promise<RunReport>;
  close(): Promise<void>;
}

let suiteSeq = 0;

export async function startTestCluster(
  options: {
    workers?: number;
    concurrency?: number;
    modelService?: boolean;
    api?: boolean;
    apiPort?: number;
    env?: Record<string, string>;
    /** Offer this Celery cluster as a run target (server/celery). */
    celery?: CeleryConfig;
    /** The user's tasks directory (default `./tasks`). */
    tasksDir?: string;
    /** Task queues the workers consume (default `default`, `fast`). */
    queues?: string[];
  } = {},
): Promise<TestCluster> {
  const prefix = `{cft${process.pid}x${++suiteSeq}}`;
  const base = loadConfig({ ...options.env, REDIS_URL: testRedisUrl() } as unknown as NodeJS.ProcessEnv);
  const config: ServerConfig = {
    ...base,
    keyPrefix: prefix,
    tasksDir: options.tasksDir ?? './tasks',
    workerConcurrency: options.concurrency ?? 8,
    workerQueues: options.queues ?? ['default', 'fast'],
    lockDurationMs: 2000,
    stalledIntervalMs: 1000,
    modelServicePort: 0,
  };
  const stack = await startStack({
    config,
    startLocalRedis: false,
    startModelService: options.modelService ?? false,
    workers: options.workers ?? 1,
    celery: options.celery ?? null,
  });
  const api = options.api ? await startApiServer(stack.api, { port: options.apiPort ?? 0 }) : undefined;
  const client = stack.client;
  if (!client) throw new Error('the test cluster could not reach its Redis');
  return {
    stack,
    config,
    ...(api ? { api } : {}),
    async run(canvas, o = {}) {
      const rec = await client.submit({
        file: client.parseCanvas(canvas),
        ...(o.runId ? { runId: o.runId } : {}),
      });
      await client.waitFinished(rec.id, o.timeoutMs ?? 30_000);
      return runReport(rec.id, await client.store.readEvents(rec.id));
    },
    async close() {
      await api?.close();
      await stack.close();
    },
  };
}
