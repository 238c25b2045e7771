/**
 * The server's Celery target (`CHORDFLOW_CELERY_BROKER`): submits runs to the user's Celery app, watches
 * each until it ends (events land in the run store, so the runs list and the live view work as for our
 * cluster), cancels with Celery's revoke, and lists the app's tasks for the palette.
 */
import type { TaskCatalogue } from '../../lib/canvas/catalogue';
import { type CatalogueEntry, mergeCatalogue } from '../../lib/canvas/catalogue';
import type { CanvasFile, Json } from '../../lib/canvas/model';
import type { RunRecord, RunStore } from '../runs/runStore';
import { type CeleryTarget, celeryRedis, publicUrl } from './connection';
import { revoke } from './control';
import { type CeleryRecordFields, type CeleryRun, startCeleryRun } from './run';
import { inspectRegistered, readCatalogueFile } from './tasks';

export interface CeleryServiceOptions {
  target: CeleryTarget;
  store: RunStore;
  catalogue: TaskCatalogue;
  observationsKey?: string;
  tasksFile?: string;
  log?: { warn(msg: string): void; info(msg: string): void };
}

const TASKS_TTL_MS = 30_000;

export class CeleryService {
  private readonly active = new Map<string, CeleryRun>();
  private readonly broker;
  private tasksCache: { at: number; entries: CatalogueEntry[] } | undefined;

  constructor(readonly o: CeleryServiceOptions) {
    this.broker = celeryRedis(o.target.brokerUrl);
  }

  /** Sends a canvas to Celery and watches it in the background; the stored record. */
  async submit(input: {
    runId?: string;
    file: CanvasFile;
    name?: string;
    project?: string;
    payload?: Json;
    comment?: string;
  }): Promise<RunRecord> {
    const run = await startCeleryRun({
      file: input.file,
      target: this.o.target,
      catalogue: await this.catalogue(),
      store: this.o.store,
      ...(input.runId !== undefined ? { runId: input.runId } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.project !== undefined ? { project: input.project } : {}),
      ...(input.payload !== undefined ? { payload: input.payload } : {}),
      ...(this.o.observationsKey ? { observationsKey: this.o.observationsKey } : {}),
      notice: (text) => this.o.log?.warn(text),
    });
    this.active.set(run.id, run);
    void run.done.finally(async () => {
      this.active.delete(run.id);
      await run.close();
    });
    return run.record;
  }

  /** Cancel a Celery run: revoke its open tasks over the pidbox and record the revocations. */
  async cancel(record: RunRecord & Partial<CeleryRecordFields>): Promise<boolean> {
    const run = this.active.get(record.id);
    if (run) {
      await run.cancel();
      return true;
    }
    // Watched by a process that is gone: revoke what may still run and close the record.
    const ids = Object.values(record.celery?.ids ?? {});
    await revoke(this.broker, this.o.target.brokerUrl, ids);
    await this.o.store.appendEvents(record.id, [
      {
        type: 'run.finished',
        run_id: record.id,
        at: Math.max(0, Date.now() - record.started_ms),
        status: 'canceled',
      },
    ]);
    await this.o.store.setStatus(record.id, 'canceled');
    return true;
  }

  /** The app's tasks (inspect registered, else the catalogue file), cached for 30 s. */
  async tasks(): Promise<CatalogueEntry[]> {
    if (this.tasksCache && Date.now() - this.tasksCache.at < TASKS_TTL_MS) return this.tasksCache.entries;
    let entries = await inspectRegistered(this.broker, this.o.target.brokerUrl).catch(() => []);
    if (entries.length === 0 && this.o.tasksFile) {
      const read = await readCatalogueFile(this.o.tasksFile);
      if (read.problem) this.o.log?.warn(read.problem);
      entries = read.entries;
    }
    this.tasksCache = { at: Date.now(), entries };
    return entries;
  }

  /** The server's catalogue plus the Celery app's tasks (ours win on a name clash: same name, our model). */
  async catalogue(): Promise<TaskCatalogue> {
    const extra = (await this.tasks()).filter((e) => !this.o.catalogue.has(e.name));
    return mergeCatalogue(this.o.catalogue, extra).catalogue;
  }

  /** What /api/health tells the Run dialog (no passwords). */
  describe(): { broker: string; backend: string; queue: string; watching: number } {
    return {
      broker: publicUrl(this.o.target.brokerUrl),
      backend: publicUrl(this.o.target.backendUrl),
      queue: this.o.target.queue,
      watching: this.active.size,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.active.values()].map((r) => r.close()));
    this.active.clear();
    this.broker.disconnect();
  }
}
