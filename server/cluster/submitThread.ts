/**
 * Worker-thread entry (built as its own file of the compiled CLI): parses, plans, stores and dispatches
 * submitted canvases away from the web process's event loop. A 20,000-task canvas costs about a second
 * of CPU (parse, plan, serialise, build the flow); on the main thread that second would stall every
 * HTTP answer and Socket.IO stream. Messages: {id, canvas, name?, project?, payload?, comment?} →
 * {id, ok: true, record, queues} | {id, ok: false, submitError, message, problems}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Json } from '../../lib/canvas/model';
import { planQueues } from '../ops/queueCheck';
import { createRedis } from '../redis/connection';
import { loadTaskRegistry } from '../tasks/registry';
import { ClusterClient, SubmitError } from './client';

export interface SubmitRequest {
  id: number;
  canvas: unknown;
  name?: string;
  project?: string;
  payload?: Json;
  comment?: string;
}

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
  port.on('message', async (m: SubmitRequest) => {
    try {
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
      port.postMessage({ id: m.id, ok: true, record, queues });
    } catch (err) {
      port.postMessage({
        id: m.id,
        ok: false,
        submitError: err instanceof SubmitError,
        message: err instanceof Error ? err.message : String(err),
        problems: err instanceof SubmitError ? err.problems : [],
      });
    }
  });
  port.postMessage({ ready: true });
}
