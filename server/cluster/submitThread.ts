/**
 * Worker-thread entry (built as its own file of the compiled CLI): the web process's work that grows with
 * a run's size, away from its event loop. A 20,000-task canvas costs about a second of CPU to parse, plan,
 * serialise and store, and reading such a run back (GET /api/workflows/<id>, its report) folds 40,000+
 * events into 20,000 objects; on the main thread either would stall every HTTP answer and Socket.IO
 * stream. Every answer is small or bytes handed over without copying (never a run's canvas or plan).
 * Messages (see offThreadSubmit.ts): {id, kind: 'submit', canvas, …} | {id, kind: 'workflow' | 'report',
 * runId} → {id, ok: true, …} | {id, ok: false, submitError, message, problems}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Json } from '../../lib/canvas/model';
import { workflowObject } from '../http/api/directorView';
import { readReport, readWorkflow } from '../http/api/workflowRead';
import { planQueues } from '../ops/queueCheck';
import { createRedis } from '../redis/connection';
import { loadTaskRegistry } from '../tasks/registry';
import { ClusterClient, SubmitError } from './client';

export type ThreadRequest =
  | {
      id: number;
      kind: 'submit';
      canvas: unknown;
      name?: string;
      project?: string;
      payload?: Json;
      comment?: string;
    }
  | { id: number; kind: 'workflow'; runId: string }
  | { id: number; kind: 'report'; runId: string };

const data = workerData as { redisUrl: string; prefix: string; tasksDir: string; submitBatch?: number };
const port = parentPort;
if (port) {
  const registry = await loadTaskRegistry(data.tasksDir);
  const client = new ClusterClient(
    createRedis(data.redisUrl),
    data.prefix,
    registry.catalogue,
    data.submitBatch,
  );
  const answer = async (m: ThreadRequest): Promise<void> => {
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
    let queues: Array<[string, string[]]> = [];
    const record = await client.submit({
      file: client.parseCanvas(m.canvas),
      ...(m.name !== undefined ? { name: m.name } : {}),
      ...(m.project !== undefined ? { project: m.project } : {}),
      ...(m.payload !== undefined ? { payload: m.payload } : {}),
      ...(m.comment !== undefined ? { comment: m.comment } : {}),
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
      });
    });
  });
  port.postMessage({ ready: true });
}
