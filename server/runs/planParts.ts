/**
 * A run's plan in its Redis hash, in parts: `plan` holds the plan with its long lists (tasks, nodes,
 * barriers) left empty, and each list longer than PART_ITEMS is stored in slices (`plan:tasks:0`, …;
 * `plan_parts` counts them). A 20,000-task plan is ~9 MB of JSON: read and parsed in one piece it holds a
 * worker's event loop for a second or more (several at load), and that loop renews BullMQ job locks —
 * a starved renewal is a false stall and a task run twice. In slices, each read and parse is short and the
 * loop runs lock renewals, heartbeats and replies between them. Plans stored whole (older runs) still load.
 */
import type { Redis } from 'ioredis';
import { codable, decodeTasks, encodeTasks, type TaskRows } from './planCodec';

/** List items per stored slice (~0.5 MB of JSON for tasks: a few ms to parse). */
export const PART_ITEMS = 1000;
const LISTS = ['tasks', 'nodes', 'barriers'] as const;
const READ_ORDER = ['barriers', 'nodes', 'tasks'] as const;

/**
 * The hash fields that store `plan`: `plan` (the plan with its long lists emptied), `plan_parts` (slice
 * counts and, for a RunPlan, the task rows' tables — planCodec.ts — with the rows themselves when they
 * are not sliced) and the slices.
 */
export function planFields(plan: object | null): Record<string, string> {
  const head: Record<string, unknown> = { ...(plan as Record<string, unknown>) };
  const fields: Record<string, string> = {};
  const parts: Record<string, unknown> = {};
  let codec: (TaskRows & { rows?: unknown[] }) | undefined;
  if (codable(plan)) {
    const { table, rows } = encodeTasks(plan);
    codec = table;
    // Emptied in place: the head keeps its key order, so the assembled plan is the same JSON.
    head.tasks = rows;
  }
  for (const list of LISTS) {
    const items = head[list];
    if (!Array.isArray(items)) continue;
    if (items.length <= PART_ITEMS) {
      if (list === 'tasks' && codec) {
        codec.rows = items;
        head.tasks = [];
      }
      continue;
    }
    head[list] = [];
    let n = 0;
    for (let i = 0; i < items.length; i += PART_ITEMS) {
      fields[`plan:${list}:${n++}`] = JSON.stringify(items.slice(i, i + PART_ITEMS));
    }
    parts[list] = n;
  }
  if (codec) parts.codec = codec;
  fields.plan = JSON.stringify(head);
  if (Object.keys(parts).length > 0) fields.plan_parts = JSON.stringify(parts);
  return fields;
}

/**
 * Assembles a plan from its head (`plan` field) and `plan_parts` (null for a plan stored whole), reading
 * each slice with its own command: every slice is a Redis round trip, so the caller's event loop runs
 * other work between slices. `chars`: the JSON's total length (a cache's byte budget).
 */
export async function assemblePlan<T>(
  redis: Redis,
  key: string,
  headText: string,
  partsText: string | null | undefined,
): Promise<{ plan: T; chars: number }> {
  const plan = JSON.parse(headText) as Record<string, unknown>;
  let chars = headText.length;
  if (!partsText) return { plan: plan as T, chars };
  chars += partsText.length;
  const parts = JSON.parse(partsText) as Record<string, unknown>;
  const codec = parts.codec as (TaskRows & { rows?: unknown[][] }) | undefined;
  // Tasks last: a task row names its barrier by index into the assembled `barriers`, and each slice of
  // rows is decoded as it arrives (the loop runs between slices, as for parsing).
  for (const list of READ_ORDER) {
    const n = typeof parts[list] === 'number' ? parts[list] : 0;
    const rows = list === 'tasks' && codec;
    if (n === 0) {
      if (rows) plan.tasks = decodeTasks(plan, codec, codec.rows ?? []);
      continue;
    }
    const items: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const text = await redis.hget(key, `plan:${list}:${i}`);
      // A slice missing means the run was deleted while being read: no plan.
      if (text === null) throw new PlanGoneError(key);
      chars += text.length;
      const slice = JSON.parse(text) as unknown[][];
      for (const item of rows ? decodeTasks(plan, codec, slice) : slice) items.push(item);
    }
    plan[list] = items;
  }
  return { plan: plan as T, chars };
}

/** The run hash lost a plan slice while it was read (the run was pruned or deleted meanwhile). */
export class PlanGoneError extends Error {
  constructor(key: string) {
    super(`the plan of ${key} is gone`);
    this.name = 'PlanGoneError';
  }
}
