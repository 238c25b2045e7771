/**
 * Per web server: for every run somebody here watches, forward the run's log to its Socket.IO room in
 * `seq` order, each event once. Notifications (pub/sub, at-most-once) carry the event itself so the
 * common case costs no Redis round trip; a notification that does not follow the cursor, or a quiet
 * period (a lost notification), makes the feed read the log from its cursor instead.
 */
import type { RunEvent } from '@/lib/protocol/events';
import type { RunsChanged } from '@/lib/protocol/socketEvents';
import type { RunEventLogReader, RunEventNotifier } from './eventSource';

interface Watched {
  cursor: number;
  /** A catch-up read in flight; notifications during it only mark the run dirty. */
  reading: boolean;
  dirty: boolean;
  finished: boolean;
  watchers: number;
}

export interface RunFeedOptions {
  log: RunEventLogReader;
  notifier: RunEventNotifier;
  /** Deliver events (consecutive seqs) to everyone watching the run on this server. */
  deliver(runId: string, events: RunEvent[]): void;
  onRunsChanged(change: RunsChanged): void;
  /** How often unfinished watched runs are re-read in case a notification was lost (ms). */
  pollMs?: number;
  onError?(err: unknown): void;
}

const READ_BATCH = 1000;

export class RunFeed {
  private readonly runs = new Map<string, Watched>();
  private readonly pending = new Map<string, Promise<Watched>>();
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: RunFeedOptions) {}

  async start(): Promise<void> {
    await this.options.notifier.start({
      onAppended: (runId, event) => this.onAppended(runId, event),
      onRunsChanged: (change) => this.options.onRunsChanged(change),
    });
    const pollMs = this.options.pollMs ?? 1000;
    this.poll = setInterval(() => {
      for (const [runId, w] of this.runs) if (!w.finished) this.catchUp(runId, w);
    }, pollMs);
    this.poll.unref?.();
  }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.runs.clear();
    await this.options.notifier.stop();
  }

  /** Number of runs this server currently forwards (tests and health). */
  get watchedRuns(): number {
    return this.runs.size;
  }

  /** The last `seq` delivered (or skipped at watch time) for a watched run; undefined when not watched. */
  cursorOf(runId: string): number | undefined {
    return this.runs.get(runId)?.cursor;
  }

  /**
   * Starts forwarding `runId` (idempotent, counted). Resolves once the cursor is set: every event after
   * the returned cursor will be delivered, so a snapshot read afterwards overlaps without a hole.
   */
  async watch(runId: string): Promise<number> {
    const existing = this.runs.get(runId);
    if (existing) {
      existing.watchers += 1;
      return existing.cursor;
    }
    let starting = this.pending.get(runId);
    if (!starting) {
      starting = (async () => {
        // Subscribe before reading the cursor so nothing appended in between is missed.
        await this.options.notifier.watch(runId);
        const cursor = await this.options.log.lastSeq(runId);
        const w: Watched = { cursor, reading: false, dirty: false, finished: false, watchers: 0 };
        this.runs.set(runId, w);
        return w;
      })().finally(() => this.pending.delete(runId));
      this.pending.set(runId, starting);
    }
    const w = await starting;
    w.watchers += 1;
    return w.cursor;
  }

  async unwatch(runId: string): Promise<void> {
    const w = this.runs.get(runId);
    if (!w) return;
    w.watchers -= 1;
    if (w.watchers > 0) return;
    this.runs.delete(runId);
    await this.options.notifier.unwatch(runId);
  }

  private onAppended(runId: string, event?: RunEvent): void {
    const w = this.runs.get(runId);
    if (!w) return;
    if (event && !w.reading && event.seq === w.cursor + 1) {
      w.cursor = event.seq;
      if (event.type === 'run.finished') w.finished = true;
      this.options.deliver(runId, [event]);
      return;
    }
    if (event && event.seq <= w.cursor) return;
    this.catchUp(runId, w);
  }

  private catchUp(runId: string, w: Watched): void {
    if (w.reading) {
      w.dirty = true;
      return;
    }
    w.reading = true;
    void (async () => {
      try {
        do {
          w.dirty = false;
          for (;;) {
            const events = await this.options.log.readAfter(runId, w.cursor, READ_BATCH);
            const fresh = consecutiveAfter(w.cursor, events);
            if (fresh.length === 0) break;
            w.cursor = fresh[fresh.length - 1]!.seq;
            if (fresh.some((e) => e.type === 'run.finished')) w.finished = true;
            if (this.runs.get(runId) === w) this.options.deliver(runId, fresh);
            if (events.length < READ_BATCH) break;
          }
        } while (w.dirty);
      } catch (err) {
        this.options.onError?.(err);
      } finally {
        w.reading = false;
      }
    })();
  }
}

/** The events that continue `cursor` without a hole (the log never has holes; this guards bad input). */
export function consecutiveAfter(cursor: number, events: RunEvent[]): RunEvent[] {
  const out: RunEvent[] = [];
  let last = cursor;
  for (const e of events) {
    if (e.seq <= last) continue;
    if (e.seq !== last + 1) break;
    out.push(e);
    last = e.seq;
  }
  return out;
}
