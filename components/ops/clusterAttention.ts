/**
 * What a live view should warn about, from the socket state, the /api/health answer and the run's events
 * (pure, so it is unit-tested): socket lost, server not answering, Redis away, no workers, tasks waiting
 * on a queue no live worker consumes, runs without progress. Each as a sentence; empty = all well.
 */
import type { RunEvent } from '@/lib/protocol/events';

export interface HealthWorker {
  name: string;
  queues?: string[];
}

export interface HealthView {
  redis?: string;
  message?: string;
  workers?: { count?: number; list?: HealthWorker[] };
  stuck_runs?: Array<{ id: string; name?: string; idle_ms: number }>;
}

export interface AttentionInput {
  /** The tab's Socket.IO connection (undefined = the view does not use it). */
  socket?: 'connecting' | 'live' | 'offline';
  health: HealthView | null;
  /** Set when /api/health could not be fetched. */
  healthError?: string;
  /** Events of the run the view follows (for waiting-on-queue and no-progress notes). */
  events?: readonly RunEvent[];
  runId?: string;
}

export interface Attention {
  kind: 'socket' | 'server' | 'redis' | 'workers' | 'queue' | 'stuck';
  text: string;
}

/** Celery queue names of tasks queued (or retry-waiting) and not started yet. */
export function waitingQueues(events: readonly RunEvent[]): Set<string> {
  const waiting = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'task.queued') {
      const q = e.queue;
      waiting.set(e.task_id, !q || q === 'celery' || q === 'default' ? 'default' : q);
    } else if (
      e.type === 'task.started' ||
      e.type === 'task.revoked' ||
      e.type === 'task.succeeded' ||
      e.type === 'task.failed'
    ) {
      waiting.delete(e.task_id);
    }
  }
  return new Set(waiting.values());
}

export function clusterAttention(input: AttentionInput): Attention[] {
  const out: Attention[] = [];
  if (input.socket === 'offline')
    out.push({
      kind: 'socket',
      text: 'Live connection to the server lost — reconnecting; nothing is missed.',
    });
  if (!input.health) {
    if (input.healthError !== undefined)
      out.push({
        kind: 'server',
        text: `The Chordflow server does not answer (${input.healthError}); retrying.`,
      });
    return out;
  }
  const h = input.health;
  if (h.redis !== 'ok') {
    out.push({
      kind: 'redis',
      text: h.message ?? 'Redis is not answering; runs resume when it is back.',
    });
    return out;
  }
  const workers = h.workers?.list ?? [];
  const finished = input.events?.some((e) => e.type === 'run.finished') ?? false;
  if ((h.workers?.count ?? workers.length) === 0) {
    if (!finished)
      out.push({
        kind: 'workers',
        text: 'No worker is running: runs wait until one starts (npx chordflow worker).',
      });
    return out;
  }
  if (input.events && !finished) {
    const consumed = new Set(workers.flatMap((w) => w.queues ?? []));
    for (const q of waitingQueues(input.events)) {
      if (!consumed.has(q)) out.push({ kind: 'queue', text: `Waiting for a worker on queue "${q}".` });
    }
  }
  const stuck = input.runId ? h.stuck_runs?.find((s) => s.id === input.runId) : undefined;
  if (stuck && !finished)
    out.push({
      kind: 'stuck',
      text: `No progress for ${Math.round(stuck.idle_ms / 1000)} s: a task may be hung, or waiting for something that never comes.`,
    });
  return out;
}
