/**
 * The web process's side of submitThread.ts: one worker thread that takes ad-hoc canvas POSTs (from the
 * body's bytes on: parse, checks, plan, store) and the
 * reads that grow with a run (a workflow's task list, its report), so planning, storing or reading back
 * a huge run never blocks HTTP, Socket.IO or (with `--inline-workers`) job-lock renewal. Available when
 * running the compiled CLI (the thread is a JavaScript file next to this one); from TypeScript sources
 * (tests) all of it runs inline as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CanvasLimits } from '../../lib/canvas/gate';
import type { Json } from '../../lib/canvas/model';
import type { WorkflowObject } from '../http/api/directorView';
import type { WorkflowRead } from '../http/api/workflowRead';
import { HttpError } from '../http/respond';
import type { Definition } from '../runs/definitions';
import { SubmitError } from './client';

/** What the thread made of a POST /api/workflows body. */
export type OffThreadPosted =
  /** A canvas body, planned and stored: the 201 answer's workflow and the run's queues (planQueues). */
  | { workflow: WorkflowObject; queues: Map<string, string[]> }
  /** Any other body (a definition's, one with a `target`), parsed, for the web process to go on with. */
  | { body: unknown };

export interface OffThreadSubmitter {
  /**
   * A POST /api/workflows body as read: parsed and checked under `limits` there (HttpError 400 as
   * readJsonBody would), then a canvas body is planned and stored unless `down` says why Redis is not
   * usable (503).
   */
  post(body: Uint8Array, limits: CanvasLimits, down: string | undefined): Promise<OffThreadPosted>;
  /** Cancels a cluster run (ClusterClient.cancel); undefined: no such run. */
  cancel(runId: string): Promise<WorkflowObject | undefined>;
  /** Runs an ad-hoc canvas again (ClusterClient.relaunch); undefined: no such run. */
  relaunch(
    runId: string,
    payload: Json | undefined,
    limits: CanvasLimits,
  ): Promise<WorkflowObject | undefined>;
  /**
   * Runs a saved definition (POST {project, name}, a definition run's relaunch): its canvas with
   * `payload` injected is planned and stored as run `runId`; `problems` when the definition does not
   * make a valid canvas (definitionRunFile).
   */
  runDefinition(request: {
    def: Definition;
    runId: string;
    payload: Json;
    comment?: string;
    limits: CanvasLimits;
  }): Promise<{ workflow: WorkflowObject; queues: Map<string, string[]> } | { problems: string[] }>;
  /** GET /api/workflows/<id>'s parts (undefined: no such run). */
  workflow(runId: string): Promise<WorkflowRead | undefined>;
  /** The run report as JSON (undefined: no such run). */
  report(runId: string): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

type Reply =
  | { ready: true }
  | ({ id: number; ok: true } & Record<string, unknown>)
  | {
      id: number;
      ok: false;
      submitError: boolean;
      message: string;
      problems: string[];
      problemCount?: number;
      /** An HttpError's status and extra fields (a bad body, Redis unavailable). */
      http?: { status: number; extra: Record<string, unknown> };
    };

export function startOffThreadSubmitter(options: {
  redisUrl: string;
  prefix: string;
  tasksDir: string;
  submitBatch?: number;
  bundleBacklog?: number;
}): OffThreadSubmitter | undefined {
  const here = import.meta.url;
  if (!here.startsWith('file:') || !here.endsWith('.js')) return undefined;
  const entry = new URL('./submitThread.js', here);
  if (!existsSync(fileURLToPath(entry))) return undefined;

  let worker: Worker | undefined;
  let seq = 0;
  const pending = new Map<
    number,
    { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();

  const failAll = (message: string) => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };
  const thread = (): Worker => {
    if (worker) return worker;
    const w = new Worker(entry, { workerData: options });
    w.on('message', (reply: Reply) => {
      if ('ready' in reply) return;
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve(reply);
      else if (reply.http) p.reject(new HttpError(reply.http.status, reply.message, reply.http.extra));
      else
        p.reject(
          reply.submitError
            ? new SubmitError(reply.message, reply.problems, reply.problemCount)
            : new Error(reply.message),
        );
    });
    // A crashed thread fails what it held; the next request starts a new one.
    w.on('error', (err) => failAll(`the submit thread failed: ${err.message}`));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll('the submit thread stopped');
    });
    worker = w;
    return w;
  };
  thread();
  const ask = (
    request: Record<string, unknown>,
    transfer: ArrayBuffer[] = [],
  ): Promise<Record<string, unknown>> => {
    const id = ++seq;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      thread().postMessage({ id, ...request }, transfer);
    });
  };

  return {
    async post(body, limits, down) {
      // The bytes move to the thread (transferred, not copied); the caller does not read them again.
      const r = await ask({ kind: 'post', body, limits, ...(down !== undefined ? { down } : {}) }, [
        body.buffer as ArrayBuffer,
      ]);
      if (!r.workflow) return { body: r.body };
      return {
        workflow: r.workflow as WorkflowObject,
        queues: new Map(r.queues as Array<[string, string[]]>),
      };
    },
    async cancel(runId) {
      const r = await ask({ kind: 'cancel', runId });
      return r.found ? (r.workflow as WorkflowObject) : undefined;
    },
    async relaunch(runId, payload, limits) {
      const r = await ask({ kind: 'relaunch', runId, limits, ...(payload !== undefined ? { payload } : {}) });
      return r.found ? (r.workflow as WorkflowObject) : undefined;
    },
    async runDefinition(request) {
      const r = await ask({ kind: 'definition', ...request });
      if (r.problems) return { problems: r.problems as string[] };
      return {
        workflow: r.workflow as WorkflowObject,
        queues: new Map(r.queues as Array<[string, string[]]>),
      };
    },
    async workflow(runId) {
      const r = await ask({ kind: 'workflow', runId });
      if (!r.found) return undefined;
      return {
        workflow: r.workflow as WorkflowObject,
        status: r.status as WorkflowRead['status'],
        queues: r.queues as WorkflowRead['queues'],
        tasks: r.tasks as Uint8Array,
      };
    },
    async report(runId) {
      const r = await ask({ kind: 'report', runId });
      return r.found ? (r.body as Uint8Array) : undefined;
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
