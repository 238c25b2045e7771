/**
 * The live layer's view of the run store (server/runs): reads a run's event log (`<p>:run:<id>:events`,
 * a list where index i holds seq i+1) and listens on the store's `<p>:events` channel, where every append
 * publishes `{run_id, first_seq, events}` in the same Lua script as the RPUSH. Run-list changes are derived
 * from `run.started` / `run.finished` events, so no extra channel is needed.
 */
import type { Redis } from 'ioredis';
import type { RunEvent } from '@/lib/protocol/events';
import type { LiveRunSummary, RunsChanged } from '@/lib/protocol/socketEvents';
import { createRedis } from '../redis/connection';
import { type Keys, keysFor } from '../runs/keys';
import { decodeEvents, RunStore } from '../runs/runStore';
import type { FeedHandlers, RunEventLogReader, RunEventNotifier } from './eventSource';

interface AppendMessage {
  run_id: string;
  first_seq: number;
  events: Array<Record<string, unknown>>;
}

/** Appends longer than this (characters) are scanned, not parsed, on the web process's loop. */
export const BIG_APPEND = 64 * 1024;
const RUN_MARKERS: Array<[string, RunsChanged['kind']]> = [
  ['"type":"run.started"', 'created'],
  ['"type":"run.finished"', 'finished'],
];
const STATUS_AFTER = /^(?:,"at":[-\d.e+]+)?,"status":"([a-z]+)"/;

export class RedisEventSource implements RunEventLogReader, RunEventNotifier {
  readonly keys: Keys;
  private readonly store: RunStore;
  private subscriber: Redis | undefined;
  private readonly watched = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly redisUrl: string,
    prefix: string,
  ) {
    this.keys = keysFor(prefix);
    this.store = new RunStore(redis, prefix);
  }

  async readAfter(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]> {
    const raw = await this.redis.lrange(this.keys.events(runId), afterSeq, afterSeq + limit - 1);
    return decodeEvents(runId, afterSeq + 1, raw);
  }

  async lastSeq(runId: string): Promise<number> {
    return this.redis.llen(this.keys.events(runId));
  }

  async getRun(runId: string): Promise<LiveRunSummary | null> {
    const run = await this.store.getRun(runId);
    if (!run) return null;
    return { ...run };
  }

  async start(handlers: FeedHandlers): Promise<void> {
    // A dedicated connection: a subscribed ioredis client cannot run other commands.
    const sub = createRedis(this.redisUrl, { worker: true });
    this.subscriber = sub;
    sub.on('error', () => {});
    sub.on('message', (_channel: string, message: string) => {
      if (message.length > BIG_APPEND) {
        this.onBigAppend(message, handlers);
        return;
      }
      let parsed: AppendMessage;
      try {
        parsed = JSON.parse(message) as AppendMessage;
      } catch {
        return;
      }
      const runId = parsed.run_id;
      const watched = this.watched.has(runId);
      parsed.events.forEach((body, i) => {
        const type = body.type;
        if (type === 'run.started' || type === 'run.finished') {
          const change: RunsChanged = {
            kind: type === 'run.started' ? 'created' : 'finished',
            run_id: runId,
            ...(typeof body.status === 'string' ? { status: body.status } : {}),
            ...(typeof body.name === 'string' ? { name: body.name } : {}),
          };
          handlers.onRunsChanged(change);
        }
        if (watched)
          handlers.onAppended(runId, { ...body, run_id: runId, seq: parsed.first_seq + i } as RunEvent);
      });
    });
    await sub.subscribe(this.keys.eventsChannel);
  }

  /**
   * An append of megabytes (a big run's `run.started` with every task, its `task.queued` events, a
   * `run.finished` with a big result) is never parsed here: run-list changes are found by a scan, and a
   * watched run is told only that its log grew, so the feed reads it from its cursor in batches.
   */
  private onBigAppend(message: string, handlers: FeedHandlers): void {
    // The append scripts (server/runs/runStore.ts) write `{"run_id":"<id>","first_seq":…` first.
    const runId = /^\{"run_id":"([^"\\]+)"/.exec(message.slice(0, 200))?.[1];
    if (!runId) return;
    for (const [marker, kind] of RUN_MARKERS) {
      for (let at = message.indexOf(marker); at >= 0; at = message.indexOf(marker, at + marker.length)) {
        // `status` follows `type` (and `at`) in the events the engine writes.
        const status = STATUS_AFTER.exec(message.slice(at + marker.length, at + marker.length + 80))?.[1];
        handlers.onRunsChanged({ kind, run_id: runId, ...(status !== undefined ? { status } : {}) });
      }
    }
    if (this.watched.has(runId)) handlers.onAppended(runId);
  }

  async watch(runId: string): Promise<void> {
    this.watched.add(runId);
  }

  async unwatch(runId: string): Promise<void> {
    this.watched.delete(runId);
  }

  async stop(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}
