/**
 * A run on the user's own Celery cluster: plan the canvas, send its first wave as Celery's apply_async
 * would, and follow it live (watch.ts) into the same run events, run store and report as our cluster.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { toCanvasJson } from '../../lib/canvas/canvasJson';
import type { TaskCatalogue } from '../../lib/canvas/catalogue';
import type { CanvasFile, Json } from '../../lib/canvas/model';
import { applyPlan, CeleryApplyError } from '../../lib/celery-protocol/apply';
import { celeryIdMap } from '../../lib/celery-protocol/ids';
import { CeleryRunTracker } from '../../lib/celery-protocol/tracker';
import { planRun } from '../../lib/engine';
import type { RunPlan } from '../../lib/engine/types';
import type { RunEvent, UnsequencedRunEvent } from '../../lib/protocol/events';
import type { RunRecord, RunStore } from '../runs/runStore';
import { type CeleryTarget, celeryRedis, publicUrl } from './connection';
import { revoke } from './control';
import { sendToCelery } from './submit';
import { CeleryWatcher } from './watch';

export interface CeleryRunInput {
  file: CanvasFile;
  target: CeleryTarget;
  catalogue: TaskCatalogue;
  name?: string;
  project?: string;
  payload?: Json;
  runId?: string;
  /** When given, the run is stored (runs list, live view); otherwise events stay in memory. */
  store?: RunStore;
  observationsKey?: string;
  notice?(text: string): void;
  quietMs?: number;
}

export interface CeleryRun {
  id: string;
  record: RunRecord & CeleryRecordFields;
  /** Every event so far, numbered (the store's numbering when stored). */
  readonly events: RunEvent[];
  /** Resolves when the run has finished (or was canceled). */
  done: Promise<void>;
  cancel(): Promise<void>;
  close(): Promise<void>;
}

/** Extra fields a Celery run's record carries. */
export interface CeleryRecordFields {
  target: 'celery';
  celery: { broker: string; backend: string; queue: string; ids: Record<string, string> };
}

/** A request that cannot be sent (→ 400 / exit 1), with a sentence. */
export class CelerySubmitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelerySubmitError';
  }
}

function uuid3Like(): string {
  // Celery's reply_to is a uuid3 of the client process; any stable uuid per process serves.
  return randomUUID().replace(/^(.{14})./, '$13');
}

const PROCESS_REPLY_TO = uuid3Like();

export async function startCeleryRun(input: CeleryRunInput): Promise<CeleryRun> {
  const runId = input.runId ?? randomUUID();
  let plan: RunPlan;
  try {
    plan = planRun(input.file, input.catalogue, runId);
  } catch (err) {
    throw new CelerySubmitError(err instanceof Error ? err.message : String(err));
  }
  const ids = celeryIdMap(plan);
  const now = Date.now();
  const tracker = new CeleryRunTracker(plan, ids, now);
  const celeryIds: Record<string, string> = {};
  for (const t of plan.tasks) celeryIds[t.id] = ids.taskId(t);
  const record: RunRecord & CeleryRecordFields = {
    id: runId,
    name: input.name ?? 'adhoc',
    project: input.project ?? 'canvas',
    status: 'progress',
    payload: input.payload ?? null,
    canvas: toCanvasJson(input.file),
    created: new Date(now).toISOString(),
    updated: new Date(now).toISOString(),
    started_ms: now,
    target: 'celery',
    celery: {
      broker: publicUrl(input.target.brokerUrl),
      backend: publicUrl(input.target.backendUrl),
      queue: input.target.queue,
      ids: celeryIds,
    },
  };
  let sends: ReturnType<typeof applyPlan>;
  try {
    sends = applyPlan(plan, input.catalogue, ids, {
      now,
      uuid: randomUUID,
      replyTo: PROCESS_REPLY_TO,
      origin: `gen${process.pid}@${hostname()}`,
      defaultQueue: input.target.queue,
    });
  } catch (err) {
    if (err instanceof CeleryApplyError) throw new CelerySubmitError(err.message);
    throw err;
  }

  const events: RunEvent[] = [];
  const store = input.store;
  let localSeq = 0;
  const emit = async (batch: UnsequencedRunEvent[]): Promise<void> => {
    if (batch.length === 0) return;
    if (store) {
      const first = await store.appendEvents(runId, batch);
      batch.forEach((e, i) => {
        events.push({ ...e, seq: first + i } as RunEvent);
      });
      const fin = batch.find((e) => e.type === 'run.finished');
      if (fin && fin.type === 'run.finished')
        await store.setStatus(
          runId,
          fin.status === 'success' ? 'success' : fin.status === 'canceled' ? 'canceled' : 'error',
        );
    } else {
      for (const e of batch) events.push({ ...e, seq: ++localSeq } as RunEvent);
    }
  };
  const watcher = new CeleryWatcher({
    brokerUrl: input.target.brokerUrl,
    backendUrl: input.target.backendUrl,
    queue: input.target.queue,
    tracker,
    emit,
    ...(input.notice ? { notice: input.notice } : {}),
    ...(input.quietMs !== undefined ? { quietMs: input.quietMs } : {}),
    ...(input.observationsKey ? { observationsKey: input.observationsKey } : {}),
  });
  const broker = celeryRedis(input.target.brokerUrl);
  const backend = celeryRedis(input.target.backendUrl);
  try {
    await watcher.subscribe();
    if (store) await store.createRun(record, plan);
    const etas: Record<string, number | undefined> = {};
    for (const s of sends) {
      if (s.kind !== 'message' || typeof s.message.headers.eta !== 'string') continue;
      etas[s.task_id] = Date.parse(s.message.headers.eta);
    }
    await emit(
      tracker.start(
        record.name,
        sends.flatMap((s) => (s.kind === 'message' ? [s.task_id] : [])),
        etas,
      ),
    );
    await sendToCelery(broker, backend, sends);
  } catch (err) {
    await watcher.close();
    broker.disconnect();
    backend.disconnect();
    throw err;
  }
  watcher.start();
  return {
    id: runId,
    record,
    events,
    done: watcher.done,
    async cancel() {
      const open = tracker.openIds();
      await revoke(broker, input.target.brokerUrl, open);
      await watcher.cancel();
    },
    async close() {
      await watcher.close();
      broker.disconnect();
      backend.disconnect();
    },
  };
}
