import { API_LIMITS, type CanvasLimits, limitsFrom } from '../lib/canvas/gate';
import { DEFAULT_BUNDLE_BACKLOG } from './cluster/bundle';
import { loadSecurityPolicy, type SecurityPolicy } from './http/security/policy';

/**
 * Server configuration from environment variables, read once with sane defaults.
 * Every variable is documented in the README's "Configuration" table.
 */
export interface ServerConfig {
  redisUrl: string;
  /** Whether REDIS_URL was set explicitly (serve only starts a local redis-server when it was not). */
  redisUrlExplicit: boolean;
  /** Prefix (with a Redis Cluster hash tag) of every key Chordflow writes. */
  keyPrefix: string;
  modelServiceUrl: string | undefined;
  modelServicePort: number;
  apiToken: string | undefined;
  retentionDays: number;
  retentionCount: number;
  tasksDir: string;
  workerConcurrency: number;
  /** Task queues the in-process workers consume (Celery queue names; `default` = the default queue). */
  workerQueues: string[];
  workerCount: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  shutdownTimeoutMs: number;
  /** A pending/in-progress run whose newest event is older than this is reported as without progress. */
  stuckAfterMs: number;
  /** A submitted run's jobs are added this many per Redis round trip (CHORDFLOW_SUBMIT_BATCH). */
  submitBatch: number;
  /**
   * Small headers' members travel as one job once a queue's backlog reaches this many jobs
   * (CHORDFLOW_BUNDLE_BACKLOG; `off` = never, 0 = always; see server/cluster/bundle.ts).
   */
  bundleBacklog: number;
  /** How often the watchdog looks for runs without progress. */
  watchdogIntervalMs: number;
  bodyLimitBytes: number;
  logLevel: string;
  /** `GET /api/workflows` page size when none is asked (director's `DIRECTOR_WORKFLOWS_PER_PAGE`). */
  workflowsPerPage: number;
  /** The largest page size a client may ask for. */
  workflowsMaxPerPage: number;
  /** A celery-director `workflows.yml` imported as definitions at start (schemas in `schemas/` next to it). */
  workflowsFile: string | undefined;
  /** Token, allowed origins, subscription cap (server/http/security). */
  security: SecurityPolicy;
  /** Depth and task caps for canvases from outside (`CHORDFLOW_MAX_DEPTH`, `CHORDFLOW_MAX_TASKS`). */
  canvasLimits: CanvasLimits;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}".`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    redisUrlExplicit: Boolean(env.REDIS_URL),
    keyPrefix: env.CHORDFLOW_PREFIX || '{chordflow}',
    modelServiceUrl: env.MODEL_SERVICE_URL || undefined,
    modelServicePort: intEnv(env, 'MODEL_SERVICE_PORT', 9000),
    apiToken: env.CHORDFLOW_API_TOKEN || undefined,
    retentionDays: intEnv(env, 'CHORDFLOW_RETENTION_DAYS', 30),
    retentionCount: intEnv(env, 'CHORDFLOW_RETENTION_COUNT', 10_000),
    tasksDir: env.CHORDFLOW_TASKS_DIR || './tasks',
    workerConcurrency: intEnv(env, 'CHORDFLOW_WORKER_CONCURRENCY', 16),
    workerQueues: (env.CHORDFLOW_QUEUES || 'default')
      .split(',')
      .map((q) => q.trim())
      .filter(Boolean),
    workerCount: intEnv(env, 'CHORDFLOW_WORKERS', 1),
    lockDurationMs: intEnv(env, 'CHORDFLOW_LOCK_MS', 4000),
    stalledIntervalMs: intEnv(env, 'CHORDFLOW_STALLED_MS', 2000),
    shutdownTimeoutMs: intEnv(env, 'CHORDFLOW_SHUTDOWN_MS', 10_000),
    submitBatch: Math.max(1, intEnv(env, 'CHORDFLOW_SUBMIT_BATCH', 500)),
    bundleBacklog:
      env.CHORDFLOW_BUNDLE_BACKLOG === 'off'
        ? Number.POSITIVE_INFINITY
        : Math.max(0, intEnv(env, 'CHORDFLOW_BUNDLE_BACKLOG', DEFAULT_BUNDLE_BACKLOG)),
    stuckAfterMs: intEnv(env, 'CHORDFLOW_STUCK_MS', 600_000),
    watchdogIntervalMs: Math.max(100, intEnv(env, 'CHORDFLOW_WATCHDOG_MS', 30_000)),
    // 8 MiB: the default CHORDFLOW_MAX_TASKS (100,000) must fit — a 100,000-step chain is 2.2 MB of JSON,
    // with args several MB. Bodies are parsed on the run thread, off the web event loop.
    bodyLimitBytes: intEnv(env, 'CHORDFLOW_BODY_LIMIT', 8 * 1024 * 1024),
    logLevel: env.LOG_LEVEL || 'info',
    workflowsPerPage: Math.max(1, intEnv(env, 'CHORDFLOW_WORKFLOWS_PER_PAGE', 1000)),
    workflowsMaxPerPage: Math.max(1, intEnv(env, 'CHORDFLOW_WORKFLOWS_MAX_PER_PAGE', 10_000)),
    workflowsFile: env.CHORDFLOW_WORKFLOWS || undefined,
    security: loadSecurityPolicy(env),
    canvasLimits: limitsFrom(env, API_LIMITS),
  };
}
