/**
 * Watches one run on a Celery cluster: subscribes to the workers' task events (`/<db>.celeryev/*`) on
 * the broker and to the run's result channels (`celery-task-meta-<id>`) on the backend, polls the
 * backend's records as a safety net (task events get lost, celery-wire.md 4.4), feeds everything to the
 * pure `CeleryRunTracker`, and hands the resulting run events to a sink. The run ends when every task is
 * final, or when nothing is in flight, the queue is empty and nothing happened for `quietMs`.
 */
import type { Redis } from 'ioredis';
import { decodeEnvelopeBody, eventsOf, parseRecord } from '../../lib/celery-protocol/records';
import type { CeleryRunTracker } from '../../lib/celery-protocol/tracker';
import type { UnsequencedRunEvent } from '../../lib/protocol/events';
import { celeryRedis, redisDb } from './connection';

export interface WatchOptions {
  brokerUrl: string;
  backendUrl: string;
  queue: string;
  tracker: CeleryRunTracker;
  /** Receives run events in order; awaited before the next batch. */
  emit(events: UnsequencedRunEvent[]): Promise<void>;
  /** A sentence for the user (e.g. no events: polling only). */
  notice?(text: string): void;
  quietMs?: number;
  pollMs?: number;
  /** A Redis list on the backend the tasks push observations to (the exported module's convention). */
  observationsKey?: string;
}

const decode64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

export class CeleryWatcher {
  private readonly events: Redis;
  private readonly results: Redis;
  private readonly backend: Redis;
  private readonly broker: Redis;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastInput = Date.now();
  private sawEvents = false;
  private warned = false;
  private obsSeen = 0;
  private resolveDone: (() => void) | undefined;
  readonly done: Promise<void>;
  stopped = false;

  constructor(readonly o: WatchOptions) {
    this.events = celeryRedis(o.brokerUrl);
    this.results = celeryRedis(o.backendUrl);
    this.backend = celeryRedis(o.backendUrl);
    this.broker = celeryRedis(o.brokerUrl);
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
  }

  /** Subscribes to events and result channels; call before the first message is sent. */
  async subscribe(): Promise<void> {
    const t = this.o.tracker;
    this.events.on('pmessage', (_p: string, _ch: string, msg: string) => {
      let env: unknown;
      try {
        env = JSON.parse(msg);
      } catch {
        return;
      }
      const body = decodeEnvelopeBody(env, decode64);
      const batch = eventsOf(body);
      this.feed(() =>
        batch.flatMap((e) => {
          const out = t.onEvent(e);
          if (e.type.startsWith('task-') && typeof e.uuid === 'string' && t.openIds().includes(e.uuid)) {
            this.sawEvents = true;
            this.lastInput = Date.now();
          }
          return out;
        }),
      );
    });
    this.results.on('message', (_ch: string, msg: string) => {
      const rec = parseRecord(msg);
      if (!rec) return;
      this.lastInput = Date.now();
      this.feed(() => t.onRecord(rec, Date.now()));
    });
    await this.events.psubscribe(`/${redisDb(this.o.brokerUrl)}.celeryev/*`);
    const ids = t.openIds().map((id) => `celery-task-meta-${id}`);
    for (let i = 0; i < ids.length; i += 1000) await this.results.subscribe(...ids.slice(i, i + 1000));
    if (this.o.observationsKey) this.obsSeen = await this.backend.llen(this.o.observationsKey);
  }

  /** Starts polling and the completion check. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.chain = this.chain.then(() => this.poll()).catch(() => undefined);
      void this.chain.then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.o.pollMs ?? 300);
      });
    };
    this.timer = setTimeout(tick, this.o.pollMs ?? 300);
  }

  private feed(fn: () => UnsequencedRunEvent[]): void {
    this.chain = this.chain
      .then(async () => {
        if (this.o.tracker.finished) return;
        const out = fn();
        if (out.length > 0) await this.o.emit(out);
      })
      .catch(() => undefined);
  }

  private async poll(): Promise<void> {
    const t = this.o.tracker;
    if (t.finished) return this.finishNow();
    const open = t.openIds();
    for (let i = 0; i < open.length; i += 500) {
      const chunk = open.slice(i, i + 500);
      const raw = await this.backend.mget(...chunk.map((id) => `celery-task-meta-${id}`));
      const out: UnsequencedRunEvent[] = [];
      for (const r of raw) {
        const rec = r ? parseRecord(r) : undefined;
        if (rec && rec.status !== 'RETRY') out.push(...t.onRecord(rec, Date.now()));
      }
      if (out.length > 0) {
        this.lastInput = Date.now();
        await this.o.emit(out);
      }
    }
    const flushed = t.flushPending(Date.now());
    if (flushed.length > 0) await this.o.emit(flushed);
    if (this.o.observationsKey) await this.pollObservations();
    // Records, not events, have moved the run on: say that it is followed without events.
    const openNow = t.openIds().length;
    if (!this.sawEvents && !this.warned && openNow < t.plan.tasks.length) {
      this.warned = true;
      this.o.notice?.(
        'No Celery task events seen: start the workers with -E (or `celery control enable_events`) for live start times and workers; following the result backend only.',
      );
    }
    const quiet = Date.now() - this.lastInput >= (this.o.quietMs ?? 1500);
    const someFinal = openNow < t.plan.tasks.length;
    const settled = t.allFinal() || (someFinal && quiet && !t.inFlight() && (await this.queueEmpty()));
    if (settled && !t.hasPending()) {
      await this.o.emit(t.finish(Date.now()));
      await this.finishNow();
    }
  }

  private async pollObservations(): Promise<void> {
    const key = this.o.observationsKey as string;
    const raw = await this.backend.lrange(key, this.obsSeen, -1);
    if (raw.length === 0) return;
    this.obsSeen += raw.length;
    const out: UnsequencedRunEvent[] = [];
    for (const r of raw) {
      try {
        const observation = JSON.parse(this.o.tracker.ids.translate(r));
        const at = Math.max(0, Date.now() - this.o.tracker.startedMs);
        out.push({ type: 'observation', run_id: this.o.tracker.plan.run_id, at, observation });
      } catch {
        // not JSON: not an observation
      }
    }
    this.lastInput = Date.now();
    if (out.length > 0) await this.o.emit(out);
  }

  private async queueEmpty(): Promise<boolean> {
    const q = this.o.queue;
    const n = await this.broker.llen(q);
    return n === 0;
  }

  /** Cancels: Celery revoke is the caller's; this records the revocations and ends the watch. */
  async cancel(): Promise<void> {
    await this.chain;
    if (!this.o.tracker.finished) await this.o.emit(this.o.tracker.cancel(Date.now()));
    await this.finishNow();
  }

  private async finishNow(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.resolveDone?.();
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const r of [this.events, this.results, this.backend, this.broker]) r.disconnect();
  }
}
