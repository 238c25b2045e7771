/**
 * The operator's view of the cluster from a web process: live workers (their heartbeats) and a watchdog
 * that marks runs without progress. A run is "without progress" when it is still pending/in progress
 * and its newest event is older than `stuckAfterMs` (CHORDFLOW_STUCK_MS) — a task on a queue nobody
 * consumes, a task that never returns, a lost trigger: nothing may stay in progress silently.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log';
import type { Keys } from '../runs/keys';
import { liveWorkers, type WorkerInfo } from './heartbeat';

export interface StuckRun {
  id: string;
  name: string;
  status: string;
  /** Epoch ms of the run's newest event (its last progress). */
  last_progress: number;
  /** How long it has been without progress (ms) when last checked. */
  idle_ms: number;
}

export interface RunsOverview {
  /** Runs pending or in progress among the newest `scanLimit`. */
  inFlight: number;
  stuck: StuckRun[];
  /** Epoch ms of the last scan (0 = never). */
  checked: number;
}

export interface OpsViewOptions {
  stuckAfterMs: number;
  /** How many of the newest runs the watchdog looks at. */
  scanLimit?: number;
  log?: Logger;
}

export class OpsView {
  private overview: RunsOverview = { inFlight: 0, stuck: [], checked: 0 };
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly reported = new Set<string>();

  constructor(
    private readonly redis: Redis,
    readonly keys: Keys,
    private readonly options: OpsViewOptions,
  ) {}

  workers(now = Date.now()): Promise<WorkerInfo[]> {
    return liveWorkers(this.redis, this.keys, now);
  }

  /** The last watchdog scan. */
  runs(): RunsOverview {
    return this.overview;
  }

  isStuck(runId: string): StuckRun | undefined {
    return this.overview.stuck.find((r) => r.id === runId);
  }

  /** Scans the newest runs once: in-flight count and runs without progress (one log line per new one). */
  async scan(now = Date.now()): Promise<RunsOverview> {
    const ids = await this.redis.zrevrange(this.keys.runs, 0, (this.options.scanLimit ?? 5000) - 1);
    const heads = this.redis.pipeline();
    for (const id of ids) heads.hmget(this.keys.run(id), 'status', 'name', 'started_ms');
    const rows = ((await heads.exec()) ?? []).map(([, v]) => v as Array<string | null>);
    const open: Array<{ id: string; name: string; status: string; started: number }> = [];
    rows.forEach((row, i) => {
      const [status, name, started] = row ?? [];
      const id = ids[i];
      if (id && (status === 'pending' || status === 'progress'))
        open.push({ id, name: name ?? '', status, started: Number(started ?? 0) });
    });
    const tails = this.redis.pipeline();
    for (const r of open) tails.lindex(this.keys.events(r.id), -1);
    const last = ((await tails.exec()) ?? []).map(([, v]) => v as string | null);
    const stuck: StuckRun[] = [];
    open.forEach((r, i) => {
      const at = eventAt(last[i] ?? '{}');
      const lastProgress = r.started + (Number.isFinite(at) ? at : 0);
      const idle = now - lastProgress;
      if (idle > this.options.stuckAfterMs)
        stuck.push({ id: r.id, name: r.name, status: r.status, last_progress: lastProgress, idle_ms: idle });
    });
    for (const s of stuck) {
      if (this.reported.has(s.id)) continue;
      this.reported.add(s.id);
      this.options.log?.warn(
        { run: s.id, idle_ms: s.idle_ms },
        `run ${s.id} (${s.name}) has made no progress for ${Math.round(s.idle_ms / 1000)} s`,
      );
    }
    for (const id of this.reported) if (!stuck.some((s) => s.id === id)) this.reported.delete(id);
    this.overview = { inFlight: open.length, stuck, checked: now };
    return this.overview;
  }

  /** Scans now and every `intervalMs` (errors — Redis away — keep the last result). */
  start(intervalMs: number): void {
    const tick = () => void this.scan().catch(() => {});
    tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** `at` at the head of an event: `{"at":…` or `{"type":"…","at":…`. */
const BIG_EVENT_AT = /^\{(?:"type":"[^"]*",)?"at":(-?[\d.]+(?:e[-+]?\d+)?)[,}]/;

/**
 * An event's `at`. A big event (a 20,000-task run's `run.started` lists every task) is not parsed on the
 * web process's loop: `at` is among its first fields (events are written `{at, type, …}` or
 * `{type, at, …}`), so its head is enough.
 */
export function eventAt(text: string): number {
  if (text.length > 4096) return Number(BIG_EVENT_AT.exec(text.slice(0, 256))?.[1] ?? 0);
  try {
    return Number((JSON.parse(text) as { at?: number }).at ?? 0);
  } catch {
    return 0;
  }
}
