/**
 * kombu's Redis transport envelope for a task message (celery-wire.md 1): the JSON body as base64 of
 * its UTF-8 text, with the content type/encoding kombu writes. Pure (TextEncoder and btoa are web
 * platform globals, available in Node and browsers).
 */
import type { CeleryTaskMessage } from './apply';

/** Python's `json.dumps` spacing (`", "`, `": "`); the worker does not depend on it, captures do. */
export function pyJsonDumps(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  const parts = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}: ${pyJsonDumps(v)}`);
  return `{${parts.join(', ')}}`;
}

/** Base64 of the UTF-8 bytes of `text`. */
export function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** The string kombu LPUSHes onto the queue list. */
export function encodeEnvelope(message: CeleryTaskMessage): string {
  return pyJsonDumps({
    body: base64Utf8(pyJsonDumps(message.body)),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: message.headers,
    properties: message.properties,
  });
}

/** kombu's priority bucket list for a queue (`Channel._q_for_pri`, steps 0/3/6/9, separator \x06\x16). */
export function queueKey(queue: string, priority: number): string {
  const steps = [0, 3, 6, 9];
  let step = 0;
  for (const s of steps) if (priority >= s) step = s;
  return step === 0 ? queue : `${queue}\x06\x16${step}`;
}
