/**
 * Worker-thread entry (built as its own file of the compiled CLI): the web process's work that grows with
 * a run's size, away from its event loop. A 20,000-task canvas costs about a second of CPU to parse, plan,
 * serialise and store, and reading such a run back (GET /api/workflows/<id>, its report) folds 40,000+
 * events into 20,000 objects; on the main thread either would stall every HTTP answer and Socket.IO
 * stream. Every answer is small or bytes handed over without copying (never a run's canvas or plan).
 * Cancels and relaunches go there too (a cancel revokes every unfinished task; a relaunch plans again),
 * and so do runs of a saved definition (POST {project, name}, a definition run's relaunch).
 * Messages (see offThreadSubmit.ts): {id, kind: 'post', body (bytes), limits, down?} | {id, kind:
 * 'cancel' | 'workflow' | 'report', runId} | {id, kind: 'relaunch', runId, payload?, limits} |
 * {id, kind: 'definition', def, runId, payload, comment?, limits} →
 * {id, ok: true, …} | {id, ok: false, submitError, message, problems, http?}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CanvasLimits } from '../../lib/canvas/gate';
import type { Json } from '../../lib/canvas/model';
import { canvasBodyOf, NOT_AN_OBJECT } from '../http/api/canvasBody';
import { workflowObject } from '../http/api/directorView';
import { readReport, readWorkflow } from '../http/api/workflowRead';
import { HttpError, isPlainObject, parseJsonBody } from '../http/respond';
import { planQueues } from '../ops/queueCheck';
import { createRedis } from '../redis/connection';
import { type Definition, definitionRunFile } from '../runs/definitions';
import { loadTaskRegistry } from '../tasks/registry';
import { ClusterClient, SubmitError } from './client';

export type ThreadRequest =
  | { id: number; kind: 'post'; body: Uint8Array; limits: CanvasLimits; down?: string }
  | { id: number; kind: 'cancel'; runId: string }
  | { id: number; kind: 'relaunch'; runId: string; payload?: Json; limits: CanvasLimits }
  | { id: number; kind: 'workflow'; runId: string }
  | { id: number; kind: 'report'; runId: string }
  | {
      id: number;
      kind: 'definition';
      def: Definition;
      runId: string;
      payload: Json;
      comment?: string;
      limits: CanvasLimits;
    };

const data = workerData as {
  redisUrl: string;
  prefix: string;
  tasksDir: string;
  submitBatch?: number;
  bundleBacklog?: number;
};
const port = parentPort;
if (port) {
  const registry = await loadTaskRegistry(data.tasksDir);
  const client = new ClusterClient(createRedis(data.redisUrl), data.prefix, registry.catalogue, {
    ...(data.submitBatch !== undefined ? { batch: data.submitBatch } : {}),
    ...(data.bundleBacklog !== undefined ? { bundleBacklog: data.bundleBacklog } : {}),
  });
  const answer = async (m: ThreadRequest): Promise<void> => {
    if (m.kind === 'cancel' || m.kind === 'relaunch') {
      if (m.kind === 'relaunch') client.limits = m.limits;
      const run =
        m.kind === 'cancel' ? await client.cancel(m.runId) : await client.relaunch(m.runId, m.payload);
      if (!run) return port.postMessage({ id: m.id, ok: true, found: false });
      return port.postMessage({ id: m.id, ok: true, found: true, workflow: workflowObject(run) });
    }
    if (m.kind === 'workflow') {
      const read = await readWorkflow(client.store, m.runId);
      if (!read) return port.postMessage({ id: m.id, ok: true, found: false });
      port.postMessage({ id: m.id, ok: true, found: true, ...read }, [read.tasks.buffer as ArrayBuffer]);
      return;
    }
    if (m.kind === 'report') {
      const body = await readReport(client.store, m.runId);
      if (!body) return port.postMessage({ id: m.id, ok: true, found: false });
      port.postMessage({ id: m.id, ok: true, found: true, body }, [body.buffer as ArrayBuffer]);
      return;
    }
    if (m.kind === 'definition') {
      const built = definitionRunFile(m.def, m.runId, m.payload, client.catalogue);
      if ('problems' in built) return port.postMessage({ id: m.id, ok: true, problems: built.problems });
      client.limits = m.limits;
      let queues: Array<[string, string[]]> = [];
      const record = await client.submit({
        file: built.file,
        runId: m.runId,
        name: m.def.name,
        project: m.def.project,
        payload: m.payload,
        ...(m.comment !== undefined ? { comment: m.comment } : {}),
        onPlanned: (plan) => {
          queues = [...planQueues(plan)];
        },
      });
      return port.postMessage({ id: m.id, ok: true, workflow: workflowObject(record), queues });
    }
    // POST /api/workflows: the same checks, in the same order, as the web process makes them inline.
    const body = parseJsonBody(m.body, m.limits);
    if (!isPlainObject(body)) throw new HttpError(400, NOT_AN_OBJECT);
    if (body.canvas === undefined || (body.target !== undefined && body.target !== 'cluster')) {
      // A definition's body (small) or another target to check: the web process goes on with it.
      return port.postMessage({ id: m.id, ok: true, body });
    }
    if (m.down !== undefined) throw new HttpError(503, m.down);
    const { canvas, ...fields } = canvasBodyOf(body);
    client.limits = m.limits;
    let queues: Array<[string, string[]]> = [];
    const record = await client.submit({
      file: client.canvasWithPayload(canvas, fields.payload),
      ...fields,
      onPlanned: (plan) => {
        queues = [...planQueues(plan)];
      },
    });
    // The workflow object only: the record's canvas would be cloned back for nothing.
    port.postMessage({ id: m.id, ok: true, workflow: workflowObject(record), queues });
  };
  port.on('message', (m: ThreadRequest) => {
    answer(m).catch((err: unknown) => {
      port.postMessage({
        id: m.id,
        ok: false,
        submitError: err instanceof SubmitError,
        message: err instanceof Error ? err.message : String(err),
        problems: err instanceof SubmitError ? err.problems : [],
        ...(err instanceof SubmitError ? { problemCount: err.problemCount } : {}),
        ...(err instanceof HttpError ? { http: { status: err.status, extra: err.extra } } : {}),
      });
    });
  });
  port.postMessage({ ready: true });
}
