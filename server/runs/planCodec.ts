/**
 * A stored plan's tasks as rows. A plan task is ~700 bytes of JSON, most of it repeated in every task: the
 * key names, the resolved options and duration model (the same objects for every task of a name), the
 * message key (`<run>.t.<id>`) and the barrier key (`<run>.c.<path>`, one of a few). Each run's plan is
 * serialised at submit, written, read back by every worker process that runs one of its jobs and parsed
 * there — the bytes and the parse are a fixed cost per run and per task. As rows, a task is its values
 * in the order of a key list stored once (`shapes`, or one of the planner's own), with `options`,
 * `duration_ms` and `sim` as indexes
 * into a table of distinct values (`shared`), the key `null` when it is the derived `<run>.t.<id>`, and
 * the barrier as its index in `barriers`. Decoding gives the same object, key for key in the same order
 * (so the same JSON); tasks sharing a value get the same (frozen plan, read-only) object, as `planRun`
 * makes them.
 */

/** The shapes `planRun` makes (lib/engine/plan.ts), referred to as -1, -2: no table entry needed. */
const COMMON = [
  'id',
  'key',
  'name',
  'path',
  'origin',
  'args',
  'kwargs',
  'immutable',
  'options',
  'errback_style',
  'node',
  'barrier',
  'links',
  'errbacks',
  'duration_ms',
];
const KNOWN_SHAPES: string[][] = [COMMON, [...COMMON, 'reports']];

const KNOWN_INDEX = KNOWN_SHAPES.map((k, i) => [k.join('\u0000'), -1 - i] as const);

/** Keys whose values are stored once per distinct value. */
const SHARED = new Set(['options', 'duration_ms', 'sim']);

export interface TaskRows {
  /** key lists, one per task shape (other than KNOWN_SHAPES) */
  shapes: string[][];
  /** distinct `options` / `duration_ms` / `sim` values */
  shared: unknown[];
}

type Row = unknown[];

interface Codable {
  run_id: string;
  tasks: Array<Record<string, unknown>>;
  barriers?: Array<{ key?: unknown }>;
}

/** Whether `plan` looks like a RunPlan whose tasks can be rows (anything else is stored as it is). */
export function codable(plan: object | null): plan is Codable {
  if (plan === null || typeof plan !== 'object') return false;
  const p = plan as Partial<Codable>;
  if (typeof p.run_id !== 'string' || !Array.isArray(p.tasks) || p.tasks.length === 0) return false;
  for (const t of p.tasks) {
    if (t === null || typeof t !== 'object' || Array.isArray(t) || Object.hasOwn(t, '__proto__'))
      return false;
  }
  return true;
}

/** The rows of `plan.tasks` and the tables they refer to. */
export function encodeTasks(plan: Codable): { table: TaskRows; rows: Row[] } {
  const shapes: string[][] = [];
  const shapeIndex = new Map<string, number>(KNOWN_INDEX);
  const shared: unknown[] = [];
  const sharedIndex = new Map<unknown, number>();
  const sharedText = new Map<string, number>();
  const barrierIndex = new Map<unknown, number>();
  plan.barriers?.forEach((b, i) => {
    if (typeof b?.key === 'string' && !barrierIndex.has(b.key)) barrierIndex.set(b.key, i);
  });
  const keyPrefix = `${plan.run_id}.t.`;
  const rows: Row[] = [];
  let last: { keys: string[]; index: number; kinds: number[]; idFirst: boolean } | undefined;
  for (const t of plan.tasks) {
    // Tasks come in a few shapes, mostly one after another: the last one is checked first.
    if (!last || !hasShape(t, last.keys)) {
      let keys: string[] = [];
      for (const k in t) if (Object.hasOwn(t, k) && t[k] !== undefined) keys.push(k);
      const shapeKey = keys.join('\u0000');
      let index = shapeIndex.get(shapeKey);
      if (index === undefined) {
        index = shapes.length;
        shapes.push(keys);
        shapeIndex.set(shapeKey, index);
      }
      if (index < 0) keys = KNOWN_SHAPES[-1 - index] as string[];
      // The derived key is rebuilt from the id, which decoding must have set by then.
      last = { keys, index, kinds: kindsOf(keys), idFirst: keys.indexOf('id') < keys.indexOf('key') };
    }
    const { keys, index: si, kinds, idFirst } = last;
    const row: Row = [si];
    for (let i = 0; i < keys.length; i++) {
      const v = t[keys[i] as string];
      const kind = kinds[i];
      if (kind === SHARED_VALUE) {
        // The same object (planRun shares them) is serialised once; equal values from elsewhere too.
        let at = sharedIndex.get(v);
        if (at === undefined) {
          const text = JSON.stringify(v);
          at = sharedText.get(text);
          if (at === undefined) {
            at = shared.length;
            shared.push(v);
            sharedText.set(text, at);
          }
          if (v !== null && typeof v === 'object') sharedIndex.set(v, at);
        }
        row.push(at);
      } else if (kind === KEY && idFirst && isDerivedKey(v, keyPrefix, t.id)) row.push(null);
      else if (kind === BARRIER && typeof v === 'string' && barrierIndex.has(v))
        row.push(barrierIndex.get(v));
      else row.push(v);
    }
    rows.push(row);
  }
  return { table: { shapes, shared }, rows };
}

/** `key === prefix + id`, without making that string. */
function isDerivedKey(key: unknown, prefix: string, id: unknown): boolean {
  return (
    typeof key === 'string' &&
    typeof id === 'string' &&
    key.length === prefix.length + id.length &&
    key.startsWith(prefix) &&
    key.endsWith(id)
  );
}

const RAW = 0;
const SHARED_VALUE = 1;
const KEY = 2;
const BARRIER = 3;
const KINDS = new WeakMap<string[], number[]>();

/** How each value of a shape is stored (computed once per key list). */
function kindsOf(keys: string[]): number[] {
  let kinds = KINDS.get(keys);
  if (!kinds) {
    kinds = keys.map((k) =>
      SHARED.has(k) ? SHARED_VALUE : k === 'key' ? KEY : k === 'barrier' ? BARRIER : RAW,
    );
    KINDS.set(keys, kinds);
  }
  return kinds;
}

/** Whether `t`'s keys with a value are `keys`, in that order. */
function hasShape(t: Record<string, unknown>, keys: string[]): boolean {
  let i = 0;
  for (const k in t) {
    if (t[k] === undefined) continue;
    if (keys[i] !== k) return false;
    i++;
  }
  return i === keys.length;
}

/** The tasks of `rows` (`plan` holds `run_id` and the assembled `barriers`). */
export function decodeTasks(
  plan: { run_id?: unknown; barriers?: unknown },
  table: TaskRows,
  rows: Row[],
): Array<Record<string, unknown>> {
  const shared = table.shared;
  const barriers = Array.isArray(plan.barriers) ? (plan.barriers as Array<{ key?: unknown }>) : [];
  const keyPrefix = `${String(plan.run_id)}.t.`;
  const tasks: Array<Record<string, unknown>> = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Row;
    const si = row[0] as number;
    const keys = (si < 0 ? KNOWN_SHAPES[-1 - si] : table.shapes[si]) ?? [];
    const kinds = kindsOf(keys);
    const t: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      const v = row[i + 1];
      const kind = kinds[i];
      if (kind === SHARED_VALUE) t[k] = shared[v as number];
      else if (kind === KEY && v === null) t[k] = keyPrefix + String(t.id);
      else if (kind === BARRIER && typeof v === 'number') t[k] = barriers[v]?.key;
      else t[k] = v;
    }
    tasks[r] = t;
  }
  return tasks;
}
