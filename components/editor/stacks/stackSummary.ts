/**
 * What a stacked node shows about its members at one instant of a run: per-state counts, progress,
 * the failed members (listed first wherever members are listed) and a histogram of the finished members'
 * durations. Pure; the editor (simulated and live runs) and the run page feed it run states.
 */
import type { TaskRunState } from '../../sim/model/runState';
import type { Timeline } from '../../sim/model/timeline';

/** A member's state, folded over its tasks (a chain member has several). */
export type MemberStatus = 'failure' | 'running' | 'retry' | 'queued' | 'success' | 'never' | 'pending';

/** Display order of the counts (failures first). */
export const MEMBER_STATUSES: readonly MemberStatus[] = [
  'failure',
  'running',
  'retry',
  'queued',
  'success',
  'never',
  'pending',
];

export const MEMBER_LABEL: Record<MemberStatus, string> = {
  failure: 'failed',
  running: 'running',
  retry: 'waiting to retry',
  queued: 'queued',
  success: 'succeeded',
  never: 'never ran',
  pending: 'waiting',
};

export const MEMBER_ICON: Record<MemberStatus, string> = {
  failure: '✕',
  running: '▶',
  retry: '↻',
  queued: '◷',
  success: '✓',
  never: '⊘',
  pending: '◌',
};

export interface StackSummary {
  total: number;
  counts: Record<MemberStatus, number>;
  /** Indices of failed members, in member order. */
  failed: number[];
  /** Members that reached an end (succeeded, failed, never ran). */
  done: number;
  /** Durations (ms) of finished members: first attempt start to last attempt end. */
  durations: number[];
}

/**
 * One member's state from its tasks' states: a failure anywhere fails it; else the least advanced
 * task decides (running before queued before waiting); it succeeded when every task did.
 */
export function memberStatus(tasks: ReadonlyArray<TaskRunState | undefined>): MemberStatus {
  let all = tasks.length > 0;
  let never = false;
  let running = false;
  let retry = false;
  let queued = false;
  for (const t of tasks) {
    const s = t?.status ?? 'pending';
    if (s === 'failure') return 'failure';
    if (s !== 'success') all = false;
    if (s === 'running') running = true;
    else if (s === 'retry_wait') retry = true;
    else if (s === 'queued') queued = true;
    else if (s === 'upstream_failed' || s === 'not_run' || s === 'revoked') never = true;
  }
  if (all) return 'success';
  if (running) return 'running';
  if (retry) return 'retry';
  if (queued) return 'queued';
  return never ? 'never' : 'pending';
}

const spanCache = new WeakMap<Timeline, Map<string, { start: number; end: number; open: boolean }>>();

/** First start and last end of every task's attempts (`open` while an attempt is still running). */
export function taskSpans(timeline: Timeline): Map<string, { start: number; end: number; open: boolean }> {
  const cached = spanCache.get(timeline);
  if (cached) return cached;
  const spans = new Map<string, { start: number; end: number; open: boolean }>();
  for (const bar of timeline.bars) {
    const s = spans.get(bar.task_id);
    const open = bar.outcome === 'running';
    if (!s) spans.set(bar.task_id, { start: bar.start, end: bar.end, open });
    else {
      s.start = Math.min(s.start, bar.start);
      s.end = Math.max(s.end, bar.end);
      s.open ||= open;
    }
  }
  spanCache.set(timeline, spans);
  return spans;
}

/**
 * Summarizes `count` members; `tasksOf(i)` gives member i's task states (undefined = not started),
 * `idsOf(i)` its task ids for durations (from `spans`, at time `t`).
 */
export function summarizeStack(
  count: number,
  tasksOf: (i: number) => ReadonlyArray<TaskRunState | undefined>,
  spans?: ReadonlyMap<string, { start: number; end: number; open: boolean }>,
  t = Number.POSITIVE_INFINITY,
): StackSummary {
  const counts: Record<MemberStatus, number> = {
    failure: 0,
    running: 0,
    retry: 0,
    queued: 0,
    success: 0,
    never: 0,
    pending: 0,
  };
  const failed: number[] = [];
  const durations: number[] = [];
  for (let i = 0; i < count; i++) {
    const tasks = tasksOf(i);
    const status = memberStatus(tasks);
    counts[status] += 1;
    if (status === 'failure') failed.push(i);
    if (spans && (status === 'success' || status === 'failure')) {
      let start = Number.POSITIVE_INFINITY;
      let end = Number.NEGATIVE_INFINITY;
      for (const task of tasks) {
        const s = task ? spans.get(task.task_id) : undefined;
        if (!s || s.start > t) continue;
        start = Math.min(start, s.start);
        end = Math.max(end, Math.min(s.end, t));
      }
      if (end >= start) durations.push(end - start);
    }
  }
  return { total: count, counts, failed, done: counts.success + counts.failure + counts.never, durations };
}

export interface Histogram {
  bins: number[];
  min: number;
  max: number;
}

/** Equal-width bins over [min, max] of `values` (one bin when they are all equal). */
export function histogram(values: readonly number[], bins = 14): Histogram {
  if (values.length === 0) return { bins: [], min: 0, max: 0 };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = max > min ? bins : 1;
  const out = new Array<number>(n).fill(0);
  const width = (max - min) / n;
  for (const v of values) {
    const b = width === 0 ? 0 : Math.min(n - 1, Math.floor((v - min) / width));
    out[b] = (out[b] ?? 0) + 1;
  }
  return { bins: out, min, max };
}
