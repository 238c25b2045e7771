/**
 * A run's plan in its Redis hash, in parts: `plan` holds the plan with its long lists (tasks, nodes,
 * barriers) left empty, and each list longer than PART_ITEMS is stored in slices (`plan:tasks:0`, …;
 * `plan_parts` counts them). A 20,000-task plan is ~9 MB of JSON: read and parsed in one piece it holds a
 * worker's event loop for a second or more (several at load), and that loop renews BullMQ job locks —
 * a starved renewal is a false stall and a task run twice. In slices, each read and parse is short and the
 * loop runs lock renewals, heartbeats and replies between them. Plans stored whole (older runs) still load.
 */
import type { Redis } from 'ioredis';

/** List items per stored slice (~0.5 MB of JSON for tasks: a few ms to parse). */
export const PART_ITEMS = 1000;
const LISTS = ['tasks', 'nodes', 'barriers'] as const;

/** The hash fields that store `plan` (`plan`, and `plan_parts` plus its slices when a list is long). */
export function planFields(plan: object): Record<string, string> {
  const head: Record<string, unknown> = { ...(plan as Record<string, unknown>) };
  const fields: Record<string, string> = {};
  const counts: Record<string, number> = {};
  for (const list of LISTS) {
    const items = head[list];
    if (!Array.isArray(items) || items.length <= PART_ITEMS) continue;
    // Emptied in place: the head keeps its key order, so the assembled plan is the same JSON.
    head[list] = [];
    let n = 0;
    for (let i = 0; i < items.length; i += PART_ITEMS) {
      fields[`plan:${list}:${n++}`] = JSON.stringify(items.slice(i, i + PART_ITEMS));
    }
    counts[list] = n;
  }
  fields.plan = JSON.stringify(head);
  if (Object.keys(counts).length > 0) fields.plan_parts = JSON.stringify(counts);
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
  const counts = JSON.parse(partsText) as Record<string, number>;
  for (const list of LISTS) {
    const n = counts[list] ?? 0;
    if (n === 0) continue;
    const items: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const text = await redis.hget(key, `plan:${list}:${i}`);
      // A slice missing means the run was deleted while being read: no plan.
      if (text === null) throw new PlanGoneError(key);
      chars += text.length;
      for (const item of JSON.parse(text) as unknown[]) items.push(item);
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
