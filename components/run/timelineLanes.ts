/**
 * Rows of a per-task timeline, aggregated the way the graph stacks them: the members of a stack share
 * one lane with a density strip (how many of its attempts run at each instant), and a lane opens into
 * its members (failed first). Pure.
 */
import type { AttemptBar } from '../sim/model/timeline';

export interface StackLaneSource {
  id: string;
  label: string;
  /** Task ids of each member. */
  members: string[][];
}

export type Row =
  | { kind: 'task'; task_id: string; name: string; member?: boolean }
  | { kind: 'stack'; id: string; label: string; taskIds: string[] };

/**
 * Task rows in order, with every stack's members replaced by one stack row where its first member
 * was; members of the stacks in `open` follow their stack row (`order` ranks them, e.g. failed first;
 * at most `limit` each).
 */
export function timelineRows(
  tasks: ReadonlyArray<{ task_id: string; name: string }>,
  stacks: readonly StackLaneSource[],
  open: ReadonlySet<string> = new Set(),
  order: (ids: string[]) => string[] = (ids) => ids,
  limit = 50,
): Row[] {
  const stackOf = new Map<string, StackLaneSource>();
  for (const s of stacks) for (const m of s.members) for (const id of m) stackOf.set(id, s);
  const names = new Map(tasks.map((t) => [t.task_id, t.name]));
  const done = new Set<string>();
  const rows: Row[] = [];
  for (const t of tasks) {
    const s = stackOf.get(t.task_id);
    if (!s) {
      rows.push({ kind: 'task', task_id: t.task_id, name: t.name });
      continue;
    }
    if (done.has(s.id)) continue;
    done.add(s.id);
    const taskIds = s.members.flat();
    rows.push({
      kind: 'stack',
      id: s.id,
      label: `${s.label} ×${s.members.length.toLocaleString('en-US')}`,
      taskIds,
    });
    if (open.has(s.id))
      for (const id of order(taskIds).slice(0, limit))
        rows.push({ kind: 'task', task_id: id, name: names.get(id) ?? id, member: true });
  }
  return rows;
}

/**
 * How many of `ids`' attempts run in each of `buckets` equal slices of [0, span], and in which slices
 * an attempt of theirs failed (a final failure or a retry).
 */
export function density(
  bars: readonly AttemptBar[],
  ids: ReadonlySet<string>,
  span: number,
  buckets: number,
): { running: number[]; failed: number[] } {
  const running = new Array<number>(buckets).fill(0);
  const failed = new Array<number>(buckets).fill(0);
  const at = (t: number) => Math.max(0, Math.min(buckets - 1, Math.floor((t / span) * buckets)));
  for (const bar of bars) {
    if (!ids.has(bar.task_id)) continue;
    const a = at(bar.start);
    const b = at(bar.end);
    for (let i = a; i <= b; i++) running[i]! += 1;
    if (bar.outcome === 'failure' || bar.outcome === 'retry') failed[b]! += 1;
  }
  return { running, failed };
}
