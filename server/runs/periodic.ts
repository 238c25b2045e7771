/**
 * Director's periodic workflows (`periodic: {interval | crontab | schedule, payload?}`) through BullMQ job
 * schedulers, the way Celery beat + director's `execute` task run them: one scheduler per periodic
 * definition (`every` ms or a cron pattern, UTC) adds a job to the `periodic` queue at each tick; the
 * job runs the definition with the schedule's payload as a run marked `periodic: true`. Schedulers live
 * in Redis, so several `serve` processes share them and each tick runs once. `sync()` follows the
 * definitions: new or changed schedules are upserted, schedules of definitions no longer periodic removed.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { parsePeriodic } from '../../lib/canvas/directorPeriodic';
import type { ClusterClient } from '../cluster/client';
import type { Logger } from '../log';
import { createRedis } from '../redis/connection';
import { type DefinitionStore, definitionRunFile, retentionOffset } from './definitions';

export const PERIODIC_QUEUE = 'periodic';
const SCHEDULER_PREFIX = 'periodic:';

export interface PeriodicScheduler {
  /** Makes the job schedulers match the periodic definitions. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export async function startPeriodicScheduler(options: {
  connection: string;
  prefix: string;
  client: ClusterClient;
  definitions: DefinitionStore;
  log?: Logger;
}): Promise<PeriodicScheduler> {
  const { client, definitions, log } = options;
  // Errors of both connections are the Redis monitor's to report (one line per outage, not per retry).
  const connection: Redis = createRedis(options.connection, { worker: true });
  connection.on('error', () => {});
  const workerConnection = connection.duplicate();
  workerConnection.on('error', () => {});
  const queue = new Queue(PERIODIC_QUEUE, { connection, prefix: options.prefix });
  queue.on('error', () => {});
  const worker = new Worker(
    PERIODIC_QUEUE,
    async (job) => {
      const fullname = String((job.data as { fullname?: unknown }).fullname ?? '');
      const def = await definitions.get(fullname);
      const spec =
        def?.director?.periodic !== undefined ? parsePeriodic(fullname, def.director.periodic) : undefined;
      if (!def || spec === undefined || typeof spec === 'string') return null;
      const runId = randomUUID();
      const built = definitionRunFile(def, runId, spec.payload, client.catalogue);
      if ('problems' in built) {
        log?.warn({ fullname, problems: built.problems }, 'periodic workflow cannot run');
        return null;
      }
      await client.submit({
        file: built.file,
        runId,
        name: def.name,
        project: def.project,
        payload: spec.payload,
        periodic: true,
      });
      const keep = retentionOffset(def);
      if (keep !== undefined) await client.store.keepNewest(def.fullname, keep);
      log?.info({ fullname, run: runId }, 'periodic workflow started');
      return runId;
    },
    { connection: workerConnection, prefix: options.prefix, concurrency: 4 },
  );
  worker.on('error', () => {});

  async function sync(): Promise<void> {
    const wanted = new Set<string>();
    for (const def of await definitions.list()) {
      if (def.director?.periodic === undefined) continue;
      const spec = parsePeriodic(def.fullname, def.director.periodic);
      if (typeof spec === 'string') continue;
      const id = `${SCHEDULER_PREFIX}${def.fullname}`;
      wanted.add(id);
      const repeat =
        'every_ms' in spec.schedule
          ? { every: spec.schedule.every_ms }
          : { pattern: spec.schedule.pattern, tz: 'UTC' };
      await queue.upsertJobScheduler(id, repeat, {
        name: def.fullname,
        data: { fullname: def.fullname },
        opts: { removeOnComplete: 100, removeOnFail: 100 },
      });
    }
    for (const s of await queue.getJobSchedulers(0, -1)) {
      const id = s.key ?? s.id ?? '';
      if (id.startsWith(SCHEDULER_PREFIX) && !wanted.has(id)) await queue.removeJobScheduler(id);
    }
  }

  await sync().catch((err: unknown) => log?.warn({ err: String(err) }, 'periodic schedules not set'));
  return {
    sync,
    async close() {
      await worker.close();
      await queue.close();
      workerConnection.disconnect();
      connection.disconnect();
    },
  };
}
