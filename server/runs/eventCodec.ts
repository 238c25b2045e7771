/** How events are stored in a run's log (shared by RunStore and StoreBatch). */
import type { UnsequencedRunEvent } from '../../lib/protocol/events';

/** An event to append: `seq` is assigned by the log, `run_id` is optional (the log belongs to one run). */
type WithoutRunId<T> = T extends unknown ? Omit<T, 'run_id'> : never;
export type EventInput = UnsequencedRunEvent | WithoutRunId<UnsequencedRunEvent>;

/** Strips `run_id` so stored events stay small; it is added back (with `seq`) when read. */
export function encodeEvent(event: EventInput): string {
  const runId = (event as { run_id?: unknown }).run_id;
  const text = JSON.stringify(event);
  if (runId === undefined) return text;
  // The core makes every event with `run_id` first: cutting it from the text is what serialising a
  // copy without it gives, minus the copy (several per task on the hot path).
  const head = `{"run_id":${JSON.stringify(runId)},`;
  if (text.startsWith(head)) return `{${text.slice(head.length)}`;
  const { run_id: _r, ...rest } = event as UnsequencedRunEvent;
  return JSON.stringify(rest);
}

export const CHUNK = 1000;

export function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Packs values into one script argument for the run store's FLUSH_LUA (`unpackList`): `<UTF-8 byte
 * length>:<value>` each (ioredis writes strings as UTF-8; a `:` inside a value is data).
 */
export function packList(values: ReadonlyArray<string | number>): string {
  let out = '';
  for (const v of values) {
    const text = typeof v === 'string' ? v : String(v);
    out += `${Buffer.byteLength(text)}:${text}`;
  }
  return out;
}
