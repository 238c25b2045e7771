/**
 * The REST API under /api, celery-director compatible (SPEC 2.4):
 *   GET  /api/ping                      {"message":"pong"}
 *   GET  /api/health                    redis, workers seen, model service
 *   POST /api/workflows                 {project, name, payload, comment?} | {canvas, payload?, name?, project?}
 *   GET  /api/workflows                 ?page&per_page&status&name&with_payload — newest first
 *   GET  /api/workflows/<id>            workflow + tasks
 *   GET  /api/workflows/<id>/report     the run report (SPEC 2.3)
 *   POST /api/workflows/<id>/relaunch   201 new workflow (body {payload} relaunches with an edited input)
 *   POST /api/workflows/<id>/cancel     201 canceled workflow
 *   GET  /api/definitions · POST /api/definitions {project, name, canvas, description?, payload?}
 *   GET  /api/tasks                     the task catalogue (built-ins, tutorial, the user's modules)
 * Every request first passes server/http/security (origins, JSON-only mutations, the token).
 */
import { randomUUID } from 'node:crypto';

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { TaskCatalogue } from '../../../lib/canvas/catalogue';
import { API_LIMITS, type CanvasLimits } from '../../../lib/canvas/gate';
import type { Json } from '../../../lib/canvas/model';
import type { RunPlan } from '../../../lib/engine/types';
import { CelerySubmitError } from '../../celery/run';
import type { CeleryService } from '../../celery/service';
import { type ClusterClient, SubmitError } from '../../cluster/client';
import type { OffThreadSubmitter } from '../../cluster/offThreadSubmit';
import type { Metrics } from '../../ops/metrics';
import type { OpsView } from '../../ops/opsView';
import { queuesWithoutWorkers, queueWarnings } from '../../ops/queueCheck';
import { REDIS_UNAVAILABLE } from '../../redis/ensureRedis';
import { isConnectionError, type RedisMonitor, redisDownSentence } from '../../redis/monitor';
import type { DefinitionStore } from '../../runs/definitions';
import { isValidRunId } from '../../runs/keys';
import { HttpError, isPlainObject, readJsonBody, sendJson, sendJsonBytes } from '../respond';
import { guardApiRequest } from '../security/httpGuard';
import type { SecurityPolicy } from '../security/policy';
import { refuseUnknownFields } from './canvasBody';
import { isCeleryRecord } from './celeryTarget';
import { workflowCreation } from './createWorkflow';
import { definitionRoutes, type Handler } from './definitionRoutes';
import { workflowObject } from './directorView';
import { healthReport } from './health';
import { NOT_FOUND_PAGE, pagingOf, withPayloadOf } from './paging';
import { catalogueJson } from './tasks';

export interface ApiDeps {
  /** Absent when no Redis is available: run endpoints answer 503. */
  client?: ClusterClient;
  definitions?: DefinitionStore;
  redis?: Redis;
  redisUnavailable?: string;
  /** Live Redis state: run routes answer 503 with its sentence while Redis is away. */
  monitor?: RedisMonitor;
  /** Operator's view: live workers and runs without progress (server/ops). */
  ops?: OpsView;
  /** Plans and stores ad-hoc canvases on a worker thread (serve); absent = inline. */
  offThread?: OffThreadSubmitter;
  /** Prometheus metrics (GET /metrics). */
  metrics?: Metrics;
  apiToken?: string;
  /** Origins, token and limits (server/http/security); default: `apiToken` and no other origin. */
  security?: SecurityPolicy;
  /** Caps for canvases in bodies (default API_LIMITS). */
  limits?: CanvasLimits;
  bodyLimitBytes: number;
  modelServiceUrl?: string;
  /** The task catalogue (also without Redis: the palette needs it); default the cluster client's. */
  catalogue?: TaskCatalogue;
  /** The user's Celery app (`CHORDFLOW_CELERY_BROKER`): runs with `"target": "celery"`. */
  celery?: CeleryService;
  /** `GET /api/workflows` page size when none is asked (director's default 1000) and its maximum. */
  perPage?: { default: number; max: number };
  /** Called after definitions are saved (periodic schedules follow them). */
  onDefinitionsSaved?: () => Promise<void>;
}

const utf8 = new TextEncoder();

const STATUSES = new Set(['pending', 'progress', 'success', 'error', 'canceled']);

export function createApiHandler(
  deps: ApiDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const security: SecurityPolicy = deps.security ?? {
    token: deps.apiToken,
    corsOrigins: new Set(),
    maxSubscriptions: 100,
  };
  const limits = deps.limits ?? API_LIMITS;
  if (deps.client) deps.client.limits = limits;
  const readBody = (req: IncomingMessage) => readJsonBody(req, deps.bodyLimitBytes, limits);
  function redisAway(): void {
    const down = deps.monitor?.message();
    if (down) throw new HttpError(503, down);
  }
  function cluster(): ClusterClient {
    if (!deps.client) throw new HttpError(503, deps.redisUnavailable ?? REDIS_UNAVAILABLE);
    redisAway();
    return deps.client;
  }
  function defs(): DefinitionStore {
    if (!deps.definitions) throw new HttpError(503, deps.redisUnavailable ?? REDIS_UNAVAILABLE);
    redisAway();
    return deps.definitions;
  }
  async function runOr404(id: string, options: { canvas?: boolean } = {}) {
    // Director's wording, without a final period.
    if (!isValidRunId(id)) throw new HttpError(404, `Workflow ${id} not found`);
    const run = await cluster().store.getRun(id, options);
    if (!run) throw new HttpError(404, `Workflow ${id} not found`);
    return run;
  }

  /** `{warnings}` when no live worker consumes some of the run's queues (the run would just wait). */
  async function submitWarnings(
    plan: RunPlan | Map<string, string[]> | undefined,
  ): Promise<{ warnings?: string[] }> {
    if (!plan || !deps.ops) return {};
    try {
      const workers = await deps.ops.workers();
      const warnings = queueWarnings(queuesWithoutWorkers(plan, workers), workers.length);
      return warnings.length > 0 ? { warnings } : {};
    } catch {
      return {};
    }
  }

  /**
   * What an unfinished run is waiting for: `waiting_for` (queues no live worker consumes) and
   * `no_progress_ms` (the watchdog found no new event for longer than CHORDFLOW_STUCK_MS).
   */
  async function attention(
    id: string,
    status: string,
    plan: RunPlan | Map<string, string[]> | undefined,
  ): Promise<{ waiting_for?: Array<{ queue: string; tasks: string[] }>; no_progress_ms?: number }> {
    if (!deps.ops || (status !== 'pending' && status !== 'progress')) return {};
    const stuck = deps.ops.isStuck(id);
    let waiting: Array<{ queue: string; tasks: string[] }> = [];
    if (plan) {
      try {
        waiting = queuesWithoutWorkers(plan, await deps.ops.workers());
      } catch {
        waiting = [];
      }
    }
    return {
      ...(waiting.length > 0 ? { waiting_for: waiting } : {}),
      ...(stuck ? { no_progress_ms: stuck.idle_ms } : {}),
    };
  }

  const ping: Handler = async (_req, res) => sendJson(res, 200, { message: 'pong' });

  const health: Handler = async (_req, res) => sendJson(res, 200, await healthReport(deps));

  const { createWorkflow, runDefinition } = workflowCreation({
    deps,
    limits,
    cluster,
    defs,
    readBody,
    submitWarnings,
  });

  const listWorkflows: Handler = async (_req, res, _p, url) => {
    const { page, perPage } = pagingOf(url, deps.perPage ?? { default: 1000, max: 10_000 });
    const status = url.searchParams.get('status') ?? undefined;
    if (status !== undefined && !STATUSES.has(status)) {
      throw new HttpError(
        400,
        `Unknown status "${status}": use pending, progress, success, error or canceled.`,
      );
    }
    const name = url.searchParams.get('name') ?? undefined;
    const withPayload = withPayloadOf(url.searchParams.get('with_payload'));
    const { runs } = await cluster().store.listRuns({
      page,
      perPage,
      ...(status !== undefined ? { status } : {}),
      ...(name !== undefined ? { name } : {}),
    });
    // Director (Flask-SQLAlchemy's paginate): a page past the end is a 404, the first page may be empty.
    if (runs.length === 0 && page > 1) throw new HttpError(404, NOT_FOUND_PAGE);
    sendJson(
      res,
      200,
      runs.map((r) => {
        const stuck = deps.ops?.isStuck(r.id);
        return { ...workflowObject(r, withPayload), ...(stuck ? { no_progress_ms: stuck.idle_ms } : {}) };
      }),
    );
  };

  // Both reads grow with the run (a task object per task): made on the run thread when there is one
  // (server/http/api/workflowRead.ts); this loop only adds `waiting_for`/`no_progress_ms` and writes bytes.
  const getWorkflow: Handler = async (_req, res, [id = '']) => {
    const store = cluster().store;
    const { readWorkflow } = await import('./workflowRead');
    const read = deps.offThread ? await deps.offThread.workflow(id) : await readWorkflow(store, id);
    // Director's wording, without a final period.
    if (!read) throw new HttpError(404, `Workflow ${id} not found`);
    const head = JSON.stringify({
      ...read.workflow,
      ...(await attention(id, read.status, new Map(read.queues))),
    });
    sendJsonBytes(res, 200, [utf8.encode(`${head.slice(0, -1)},"tasks":`), read.tasks, utf8.encode('}')]);
  };

  const getReport: Handler = async (_req, res, [id = '']) => {
    const store = cluster().store;
    const { readReport } = await import('./workflowRead');
    const body = deps.offThread ? await deps.offThread.report(id) : await readReport(store, id);
    if (!body) throw new HttpError(404, `Workflow ${id} not found`);
    sendJsonBytes(res, 200, [body]);
  };

  const relaunch: Handler = async (req, res, [id = '']) => {
    // Director's relaunch has no body; `{payload}` relaunches with an edited input.
    const body =
      Number(req.headers['content-length'] ?? 0) > 0 ? await readJsonBody(req, deps.bodyLimitBytes) : {};
    if (!isPlainObject(body)) throw new HttpError(400, 'The relaunch body must be a JSON object {payload?}.');
    refuseUnknownFields(body, ['payload']);
    if (body.payload !== undefined && !isPlainObject(body.payload))
      throw new HttpError(400, 'Payload is not valid: "payload" must be a JSON object.');
    const edited = body.payload as Json | undefined;
    // The canvas (a megabyte for a 20,000-task run) is read only where it is used.
    const old = await runOr404(id, { canvas: false });
    if (isCeleryRecord(old)) {
      // A Celery run is relaunched on Celery (same canvas and payload, new task ids).
      if (!deps.celery)
        throw new HttpError(
          409,
          'This run was on a Celery cluster and this server has no Celery target (set CHORDFLOW_CELERY_BROKER).',
        );
      const again = await deps.celery.submit({
        file: cluster().parseCanvas((await runOr404(id)).canvas),
        name: old.name,
        project: old.project,
        payload: old.payload as Json,
      });
      return sendJson(res, 201, { ...workflowObject(again), target: 'celery' });
    }
    // A run of a definition is relaunched as director does: the definition runs again with the same
    // payload and comment (a new workflow_id, new task ids); an ad-hoc canvas runs again as it was.
    const def = deps.definitions ? await deps.definitions.get(`${old.project}.${old.name}`) : undefined;
    if (def && (old.project !== 'canvas' || old.name !== 'adhoc')) {
      // Planned and stored on the run thread when there is one (createWorkflow.ts).
      const payload = edited ?? ((old.payload ?? {}) as Json);
      const again = await runDefinition(def, randomUUID(), payload, old.comment);
      if (!('problems' in again)) return sendJson(res, 201, again.workflow);
    }
    // An ad-hoc canvas is planned again (on the run thread when there is one).
    const again = deps.offThread
      ? await deps.offThread.relaunch(id, edited, limits)
      : await cluster()
          .relaunch(id, edited)
          .then((r) => r && workflowObject(r));
    if (!again) throw new HttpError(404, `Workflow ${id} not found`);
    sendJson(res, 201, again);
  };

  const cancel: Handler = async (_req, res, [id = '']) => {
    const record = await runOr404(id, { canvas: false });
    if (
      isCeleryRecord(record) &&
      record.status !== 'success' &&
      record.status !== 'error' &&
      record.status !== 'canceled'
    ) {
      if (!deps.celery)
        throw new HttpError(
          409,
          'This run is on a Celery cluster and this server has no Celery target (set CHORDFLOW_CELERY_BROKER).',
        );
      await deps.celery.cancel(await runOr404(id));
      return sendJson(res, 201, workflowObject({ ...record, status: 'canceled' }));
    }
    // Every task without a final state gets its `task.revoked`: on the run thread when there is one.
    const canceled = deps.offThread
      ? await deps.offThread.cancel(id)
      : await cluster()
          .cancel(id)
          .then((r) => r && workflowObject(r));
    if (!canceled) throw new HttpError(404, `Workflow ${id} not found`);
    sendJson(res, 201, canceled);
  };

  const { listDefinitions, saveDefinition } = definitionRoutes({
    cluster,
    defs,
    readBody,
    onSaved: async () => {
      await deps.onDefinitionsSaved?.();
    },
  });

  const listTasks: Handler = async (_req, res) => {
    const catalogue = deps.catalogue ?? deps.client?.catalogue;
    if (!catalogue) throw new HttpError(503, 'The task catalogue is not loaded yet.');
    // With a Celery target, its app's registered tasks join the palette (source "celery").
    sendJson(res, 200, catalogueJson(deps.celery ? await deps.celery.catalogue() : catalogue));
  };

  const metrics: Handler = async (_req, res) => {
    if (!deps.metrics) throw new HttpError(503, deps.redisUnavailable ?? REDIS_UNAVAILABLE);
    const body = await deps.metrics.text();
    res.writeHead(200, { 'content-type': deps.metrics.contentType });
    res.end(body);
  };

  const routes: Array<{ method: string; pattern: RegExp; handler: Handler; mutating?: boolean }> = [
    { method: 'GET', pattern: /^\/api\/ping$/, handler: ping },
    { method: 'GET', pattern: /^\/api\/health$/, handler: health },
    { method: 'GET', pattern: /^\/metrics$/, handler: metrics },
    { method: 'POST', pattern: /^\/api\/workflows$/, handler: createWorkflow, mutating: true },
    { method: 'GET', pattern: /^\/api\/workflows$/, handler: listWorkflows },
    { method: 'GET', pattern: /^\/api\/workflows\/([^/]+)$/, handler: getWorkflow },
    { method: 'GET', pattern: /^\/api\/workflows\/([^/]+)\/report$/, handler: getReport },
    { method: 'POST', pattern: /^\/api\/workflows\/([^/]+)\/relaunch$/, handler: relaunch, mutating: true },
    { method: 'POST', pattern: /^\/api\/workflows\/([^/]+)\/cancel$/, handler: cancel, mutating: true },
    { method: 'GET', pattern: /^\/api\/definitions$/, handler: listDefinitions },
    { method: 'POST', pattern: /^\/api\/definitions$/, handler: saveDefinition, mutating: true },
    { method: 'GET', pattern: /^\/api\/tasks$/, handler: listTasks },
  ];

  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { error: 'The request URL is not valid.' });
      return true;
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    // Origins, content types and the token: one gate for every /api request (server/http/security).
    const guarded = path === '/api' || path.startsWith('/api/') || path === '/metrics';
    if (guarded && guardApiRequest(req, res, path, security)) return true;
    const matching = routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return false;
    const route = matching.find((r) => r.method === req.method);
    try {
      if (!route) {
        throw new HttpError(
          405,
          `${req.method} is not allowed on ${path}; use ${matching.map((r) => r.method).join(' or ')}.`,
        );
      }
      const params = (route.pattern.exec(path) ?? []).slice(1).map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          return p;
        }
      });
      await route.handler(req, res, params, url);
    } catch (err) {
      if (res.headersSent) return true;
      if (err instanceof HttpError) sendJson(res, err.status, { error: err.message, ...err.extra });
      else if (err instanceof CelerySubmitError) sendJson(res, 400, { error: err.message });
      else if (err instanceof SubmitError)
        sendJson(res, 400, {
          error: err.message,
          // The first problems (at most LISTED_PROBLEMS) and how many there were in all.
          ...(err.problems.length ? { errors: err.problems, error_count: err.problemCount } : {}),
        });
      else if (err instanceof RangeError && /call stack/i.test(err.message))
        // Backstop of the canvas gate's depth limits: still the caller's input, still a sentence.
        sendJson(res, 400, { error: 'The input nests too deeply to process; flatten it.' });
      else {
        // Redis down mid-request and the like: not the caller's fault, but still a sentence (the
        // client library's own text — "Reached the max retries per request limit" — helps nobody).
        const down =
          deps.monitor?.message() ??
          (isConnectionError(err) && deps.monitor ? redisDownSentence(deps.monitor.url) : undefined);
        const message = err instanceof Error ? err.message : String(err);
        sendJson(res, 503, { error: down ?? `The server could not complete the request: ${message}.` });
      }
    }
    return true;
  };
}
