/**
 * Celery's own data as it arrives from Redis: task events (celery-wire.md 4) and result backend records
 * (celery-wire.md 3), and how their errors read in Chordflow's terms.
 */
import type { Json } from '../canvas/model';
import { exceptionMessage } from '../engine/python';
import type { TaskError } from '../protocol/events';

/** One decoded Celery event (task or worker). `timestamp` is epoch seconds. */
export interface CeleryEvent {
  type: string;
  hostname?: string;
  timestamp?: number;
  uuid?: string;
  retries?: number;
  eta?: string | null;
  name?: string;
  exception?: string;
  traceback?: string;
  [key: string]: Json | undefined;
}

/** A `celery-task-meta-<id>` record. */
export interface ResultRecord {
  status: string;
  result: Json;
  traceback?: string | null;
  date_done?: string | null;
  task_id: string;
  retries?: number;
  worker?: string;
  [key: string]: Json | undefined;
}

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Events from a `/<db>.celeryev/*` message body: the worker batches task events in a list. */
export function eventsOf(body: unknown): CeleryEvent[] {
  const list = Array.isArray(body) ? body : [body];
  return list.filter((e): e is CeleryEvent => isObject(e) && typeof e.type === 'string');
}

/** The envelope's body, decoded (base64 JSON or plain JSON); undefined when it is not JSON. */
export function decodeEnvelopeBody(envelope: unknown, decodeBase64: (s: string) => string): unknown {
  if (!isObject(envelope)) return undefined;
  const body = envelope.body;
  const props = envelope.properties;
  try {
    if (typeof body !== 'string') return body;
    const text = isObject(props) && props.body_encoding === 'base64' ? decodeBase64(body) : body;
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A parsed result record, or undefined for anything that is not one. */
export function parseRecord(text: string): ResultRecord | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (isObject(v) && typeof v.status === 'string' && typeof v.task_id === 'string')
      return v as ResultRecord;
  } catch {
    // not a record
  }
  return undefined;
}

/** The error of a FAILURE/RETRY record: `{exc_type, exc_message: [args], exc_module}` → TaskError. */
export function recordError(record: ResultRecord, translate: (s: string) => string): TaskError {
  const r = record.result;
  const tb = typeof record.traceback === 'string' ? translate(record.traceback) : undefined;
  if (isObject(r) && typeof r.exc_type === 'string') {
    const raw = r.exc_message;
    const args: Json[] = (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]).map(
      (a) => (typeof a === 'string' ? translate(a) : a),
    );
    const e: TaskError = { type: r.exc_type, message: exceptionMessage(args), args };
    if (tb) e.traceback = tb;
    return e;
  }
  const e: TaskError = {
    type: 'Exception',
    message: typeof r === 'string' ? translate(r) : JSON.stringify(r),
  };
  if (tb) e.traceback = tb;
  return e;
}

/** The countdown a RETRY traceback announces (`celery.exceptions.Retry: Retry in 2s: …`), in ms. */
export function retryCountdownMs(text: string | null | undefined): number | undefined {
  const m = /Retry in (\d+(?:\.\d+)?)s/.exec(text ?? '');
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

/** Epoch ms of a record's `date_done` (naive UTC ISO text), if any. */
export function doneAtMs(record: ResultRecord): number | undefined {
  const d = record.date_done;
  if (typeof d !== 'string') return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(d) ? d : `${d}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}
