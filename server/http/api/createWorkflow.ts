/**
 * `POST /api/workflows` of the director API — `{canvas, payload?, name?, project?}` runs a canvas,
 * `{project, name, payload, comment?}` runs a saved definition (director's request, its errors) — and
 * the definition run it shares with relaunch. Planning and storing grow with the canvas, so with a run
 * thread (serve) both happen there: this loop reads the body's bytes and a definition, nothing more.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CanvasLimits } from '../../../lib/canvas/gate';
import type { Json } from '../../../lib/canvas/model';
import type { RunPlan } from '../../../lib/engine/types';
import type { ClusterClient } from '../../cluster/client';
import { SubmitError } from '../../cluster/client';
import { REDIS_UNAVAILABLE } from '../../redis/ensureRedis';
import {
  type Definition,
  type DefinitionStore,
  definitionRunFile,
  retentionOffset,
  runPayload,
} from '../../runs/definitions';
import { HttpError, isPlainObject, readRawBody, sendJson } from '../respond';
import { canvasBodyOf, NOT_AN_OBJECT } from './canvasBody';
import { celeryTarget } from './celeryTarget';
import type { Handler } from './definitionRoutes';
import { type WorkflowObject, workflowObject } from './directorView';
import type { ApiDeps } from './index';
import { DIRECTOR_WORKFLOW_BODY, schemaErrors } from './jsonSchema';

/** What the route needs from the API handler (each getter throws the API's 503 when away). */
export interface CreateWorkflowContext {
  deps: ApiDeps;
  limits: CanvasLimits;
  cluster(): ClusterClient;
  defs(): DefinitionStore;
  readBody(req: IncomingMessage): Promise<unknown>;
  /** `{warnings}` when no live worker consumes some of the run's queues. */
  submitWarnings(plan: RunPlan | Map<string, string[]> | undefined): Promise<{ warnings?: string[] }>;
}

export function workflowCreation(ctx: CreateWorkflowContext): {
  createWorkflow: Handler;
  runDefinition(
    def: Definition,
    runId: string,
    payload: Json,
    comment: string | undefined,
  ): Promise<{ workflow: WorkflowObject; warnings?: string[] } | { problems: string[] }>;
} {
  const { deps, limits } = ctx;

  /** Director's `retention: {offset: N}`: keep the N most recent runs of this workflow. */
  async function applyRetention(def: Definition): Promise<void> {
    const keep = retentionOffset(def);
    if (keep !== undefined) await ctx.cluster().store.keepNewest(def.fullname, keep);
  }

  /** Plans and stores a run of `def` (on the run thread when there is one), then applies its retention. */
  async function runDefinition(def: Definition, runId: string, payload: Json, comment: string | undefined) {
    const c = ctx.cluster();
    let workflow: WorkflowObject;
    let planned: RunPlan | Map<string, string[]> | undefined;
    if (deps.offThread) {
      const done = await deps.offThread.runDefinition({
        def,
        runId,
        payload,
        ...(comment !== undefined ? { comment } : {}),
        limits,
      });
      if ('problems' in done) return done;
      workflow = done.workflow;
      planned = done.queues;
    } else {
      const built = definitionRunFile(def, runId, payload, c.catalogue);
      if ('problems' in built) return built;
      const run = await c.submit({
        onPlanned: (p) => {
          planned = p;
        },
        file: built.file,
        runId,
        name: def.name,
        project: def.project,
        payload,
        ...(comment !== undefined ? { comment } : {}),
      });
      workflow = workflowObject(run);
    }
    await applyRetention(def);
    return { workflow, ...(await ctx.submitWarnings(planned)) };
  }

  const createWorkflow: Handler = async (req, res) => {
    let body: unknown;
    if (deps.offThread) {
      // A canvas body is parsed, checked, planned and stored on the run thread: this loop only reads its
      // bytes. Any other body (a definition's, one with a target) comes back parsed and goes on here.
      const down = deps.client ? deps.monitor?.message() : (deps.redisUnavailable ?? REDIS_UNAVAILABLE);
      const posted = await deps.offThread.post(await readRawBody(req, deps.bodyLimitBytes), limits, down);
      if ('workflow' in posted)
        return sendJson(res, 201, { ...posted.workflow, ...(await ctx.submitWarnings(posted.queues)) });
      body = posted.body;
    } else body = await ctx.readBody(req);
    if (!isPlainObject(body)) throw new HttpError(400, NOT_AN_OBJECT);
    // A bad or unavailable target is the caller's to fix, before anything else is looked at.
    const celery = celeryTarget(body, deps.celery);
    const c = ctx.cluster();
    const given = (body.payload ?? null) as Json;
    if (body.comment !== undefined && typeof body.comment !== 'string') {
      throw new HttpError(400, '"comment" must be a string.');
    }
    const comment = body.comment as string | undefined;
    if (body.canvas !== undefined) {
      const fields = canvasBodyOf(body);
      const file = c.canvasWithPayload(fields.canvas, fields.payload);
      const { canvas: _canvas, ...rest } = fields;
      if (celery) {
        const run = await celery.submit({ file, ...rest });
        return sendJson(res, 201, { ...workflowObject(run), target: 'celery' });
      }
      let planned: RunPlan | undefined;
      const run = await c.submit({
        onPlanned: (p) => {
          planned = p;
        },
        file,
        ...rest,
      });
      return sendJson(res, 201, { ...workflowObject(run), ...(await ctx.submitWarnings(planned)) });
    }
    // Director's request schema, with its error body: {"error": "Error validating against schema", "errors": [...]}.
    const { target: _target, ...directorBody } = body;
    const bodyErrors = schemaErrors(DIRECTOR_WORKFLOW_BODY, directorBody);
    if (bodyErrors.length > 0)
      throw new HttpError(400, 'Error validating against schema', { errors: bodyErrors });
    const fullname = `${body.project}.${body.name}`;
    const def = await ctx.defs().get(fullname);
    if (!def) throw new HttpError(404, `Workflow ${fullname} not found`);
    // The definition's saved input (the editor's Input) under the caller's fields.
    const input = runPayload(def, given);
    if (def.director?.schema !== undefined) {
      const errors = schemaErrors(def.director.schema, input);
      if (errors.length > 0) throw new HttpError(400, 'Payload is not valid', { errors });
    }
    const runId = randomUUID();
    const invalid = (problems: string[]) =>
      SubmitError.invalid(`The definition ${fullname} is not valid`, problems);
    if (celery) {
      const built = definitionRunFile(def, runId, input, c.catalogue);
      if ('problems' in built) throw invalid(built.problems);
      const run = await celery.submit({
        runId,
        file: built.file,
        name: def.name,
        project: def.project,
        payload: given,
        ...(comment !== undefined ? { comment } : {}),
      });
      return sendJson(res, 201, { ...workflowObject(run), target: 'celery' });
    }
    const done = await runDefinition(def, runId, input, comment);
    if ('problems' in done) throw invalid(done.problems);
    sendJson(res, 201, { ...done.workflow, ...(done.warnings ? { warnings: done.warnings } : {}) });
  };

  return { createWorkflow, runDefinition };
}
