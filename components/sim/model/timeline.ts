/**
 * The Gantt's data: one bar per attempt, laid out on one lane per worker slot, plus the retry
 * connectors (a failed attempt → its retry, the gap being the countdown). Built from run events only,
 * so the live view reuses it.
 */
import type { RunEvent, TaskError } from '../../../lib/protocol/events';

export type BarOutcome = 'success' | 'retry' | 'failure' | 'replaced' | 'running' | 'revoked';

export interface AttemptBar {
  /** Index in `Timeline.bars` (stable for a given event list). */
  index: number;
  task_id: string;
  name: string;
  attempt: number;
  worker: string;
  lane: number;
  start: number;
  /** End time; for a running attempt, the time the trace ends. */
  end: number;
  outcome: BarOutcome;
  countdown_ms?: number;
  error?: TaskError;
}

export interface RetryConnector {
  from: number;
  to: number;
  countdown_ms: number;
}

export interface Lane {
  worker: string;
  /** Slot within the worker (0-based). */
  slot: number;
  label: string;
}

export interface Timeline {
  bars: AttemptBar[];
  lanes: Lane[];
  connectors: RetryConnector[];
  /** Last event time (ms). */
  endMs: number;
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}

/**
 * Builds the timeline. Lanes: per worker, an attempt takes the lowest slot free at its start, which is
 * what a prefork pool looks like from outside (events do not name the slot).
 */
export function buildTimeline(events: readonly RunEvent[]): Timeline {
  const names = new Map<string, string>();
  const open = new Map<string, AttemptBar>();
  const bars: AttemptBar[] = [];
  let endMs = 0;
  let canceled = false;
  /** An attempt cut by a cancel ends there, revoked: a canceled run draws nothing as still running. */
  const revoke = (bar: AttemptBar, at: number) => {
    bar.end = Math.max(bar.start, at);
    bar.outcome = 'revoked';
  };
  for (const event of events) {
    if (event.at > endMs) endMs = event.at;
    // A worker that had not yet seen the cancel may still report a start: not drawn.
    if (canceled && event.type === 'task.started') continue;
    switch (event.type) {
      case 'run.started':
        for (const d of event.tasks) names.set(d.task_id, d.name);
        break;
      case 'task.added':
        names.set(event.task.task_id, event.task.name);
        break;
      case 'task.queued':
        names.set(event.task_id, event.name);
        break;
      case 'task.started': {
        const key = `${event.task_id}\u0000${event.attempt}`;
        // A redelivered start of the same attempt (at-least-once) restarts the bar.
        const existing = open.get(key);
        if (existing) {
          existing.start = event.at;
          existing.worker = event.worker;
          break;
        }
        const bar: AttemptBar = {
          index: bars.length,
          task_id: event.task_id,
          name: names.get(event.task_id) ?? event.task_id,
          attempt: event.attempt,
          worker: event.worker,
          lane: 0,
          start: event.at,
          end: event.at,
          outcome: 'running',
        };
        bars.push(bar);
        open.set(key, bar);
        break;
      }
      case 'task.replaced': {
        const key = `${event.task_id}\u0000${event.attempt}`;
        const bar = open.get(key);
        names.set(event.task_id, event.name);
        if (!bar) break;
        open.delete(key);
        bar.end = event.at;
        bar.outcome = 'replaced';
        break;
      }
      case 'task.succeeded':
      case 'task.retried':
      case 'task.failed': {
        const key = `${event.task_id}\u0000${event.attempt}`;
        const bar = open.get(key);
        if (!bar) break; // marked FAILURE without running: no bar
        open.delete(key);
        bar.end = event.at;
        if (event.type === 'task.succeeded') bar.outcome = 'success';
        else if (event.type === 'task.retried') {
          bar.outcome = 'retry';
          bar.countdown_ms = event.countdown_ms;
          bar.error = event.error;
        } else {
          bar.outcome = 'failure';
          bar.error = event.error;
        }
        break;
      }
      case 'task.revoked':
        for (const [key, bar] of open)
          if (bar.task_id === event.task_id) {
            open.delete(key);
            revoke(bar, event.at);
          }
        break;
      case 'run.finished':
        if (event.status !== 'canceled') break;
        canceled = true;
        for (const bar of open.values()) revoke(bar, event.at);
        open.clear();
        break;
      default:
        break;
    }
  }
  for (const bar of open.values()) bar.end = endMs;

  // Lane assignment per worker, in start order.
  const byWorker = new Map<string, AttemptBar[]>();
  for (const bar of bars) {
    const list = byWorker.get(bar.worker);
    if (list) list.push(bar);
    else byWorker.set(bar.worker, [bar]);
  }
  const lanes: Lane[] = [];
  for (const worker of [...byWorker.keys()].sort(naturalCompare)) {
    const list = (byWorker.get(worker) ?? []).slice().sort((a, b) => a.start - b.start || a.index - b.index);
    const slotEnds: number[] = [];
    const base = lanes.length;
    for (const bar of list) {
      let slot = slotEnds.findIndex((end) => end <= bar.start);
      if (slot < 0) {
        slot = slotEnds.length;
        slotEnds.push(bar.end);
        lanes.push({ worker, slot, label: `${worker} #${slot + 1}` });
      } else slotEnds[slot] = bar.end;
      bar.lane = base + slot;
    }
  }

  const connectors: RetryConnector[] = [];
  const byAttempt = new Map<string, AttemptBar>();
  for (const bar of bars) byAttempt.set(`${bar.task_id}\u0000${bar.attempt}`, bar);
  for (const bar of bars) {
    if (bar.outcome !== 'retry') continue;
    const next = byAttempt.get(`${bar.task_id}\u0000${bar.attempt + 1}`);
    if (next) connectors.push({ from: bar.index, to: next.index, countdown_ms: bar.countdown_ms ?? 0 });
  }
  return { bars, lanes, connectors, endMs };
}

/** Bars overlapping `[from, to]` (viewport culling; linear, fine for tens of thousands of bars). */
export function barsInWindow(bars: readonly AttemptBar[], from: number, to: number): AttemptBar[] {
  return bars.filter((bar) => bar.end >= from && bar.start <= to);
}
