/**
 * Celery's sending options (`apply_async`/`.set()`: countdown, eta, expires, priority, routing_key,
 * ignore_result, shadow) — their checks, and how they turn into times. Pure: "now" is always given.
 *
 * Times inside a run are milliseconds since the run started; absolute times (`eta`, an ISO `expires`)
 * need the run's start as epoch milliseconds (`epochMs`), which interpreters inject.
 */
import type { SendOptions } from './model';

/** Option keys whose values are the same in Celery JSON and Canvas JSON (everything but the countdown). */
export const SEND_OPTION_KEYS = [
  'eta',
  'expires',
  'priority',
  'routing_key',
  'ignore_result',
  'shadow',
] as const;

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch milliseconds of an ISO 8601 time (no zone = UTC, like Celery with `enable_utc`), or `null`. */
export function parseIsoTime(text: string): number | null {
  if (!ISO.test(text.trim())) return null;
  const t = text.trim().replace(' ', 'T');
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(t) || !t.includes('T') ? t : `${t}Z`;
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : null;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const show = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

/** Sentences for every invalid sending option of `o`, keyed by option name. */
export function sendOptionProblems(o: Record<string, unknown>): Array<{ key: string; message: string }> {
  const out: Array<{ key: string; message: string }> = [];
  // Bounded like the retry delays (validate.ts MAX_SECONDS): one year at most.
  if (
    'apply_countdown' in o &&
    !(isNumber(o.apply_countdown) && o.apply_countdown >= 0 && o.apply_countdown <= 31_536_000)
  )
    out.push({
      key: 'apply_countdown',
      message: `"apply_countdown" must be a number of seconds between 0 and 31536000 (one year), not ${show(o.apply_countdown)}.`,
    });
  if ('eta' in o && !(typeof o.eta === 'string' && parseIsoTime(o.eta) !== null))
    out.push({
      key: 'eta',
      message: `"eta" must be an ISO 8601 time such as "2030-01-01T12:00:00Z", not ${show(o.eta)}.`,
    });
  if (
    'expires' in o &&
    !(isNumber(o.expires) && o.expires >= 0) &&
    !(typeof o.expires === 'string' && parseIsoTime(o.expires) !== null)
  )
    out.push({
      key: 'expires',
      message: `"expires" must be seconds ≥ 0 after sending or an ISO 8601 time, not ${show(o.expires)}.`,
    });
  if (
    'priority' in o &&
    !(isNumber(o.priority) && Number.isInteger(o.priority) && o.priority >= 0 && o.priority <= 255)
  )
    out.push({
      key: 'priority',
      message: `"priority" must be a whole number 0..255, not ${show(o.priority)}.`,
    });
  for (const key of ['routing_key', 'shadow'] as const)
    if (key in o && !(typeof o[key] === 'string' && (o[key] as string).trim() !== ''))
      out.push({ key, message: `"${key}" must be a non-empty string, not ${show(o[key])}.` });
  if ('ignore_result' in o && typeof o.ignore_result !== 'boolean')
    out.push({
      key: 'ignore_result',
      message: `"ignore_result" must be true or false, not ${show(o.ignore_result)}.`,
    });
  return out;
}

/** When a message sent at `now` (run ms) may start: Celery's countdown, else its eta, else at once. */
export function startDelayMs(o: SendOptions, now: number, epochMs: number | undefined): number {
  if (o.apply_countdown !== undefined && o.apply_countdown > 0) return o.apply_countdown * 1000;
  if (o.eta !== undefined && epochMs !== undefined) {
    const at = parseIsoTime(o.eta);
    if (at !== null) return Math.max(0, at - epochMs - now);
  }
  return 0;
}

/** Run-relative ms after which a message sent at `now` is expired, or `undefined` when it never expires. */
export function expiresAtMs(o: SendOptions, now: number, epochMs: number | undefined): number | undefined {
  if (o.expires === undefined) return undefined;
  if (typeof o.expires === 'number') return now + o.expires * 1000;
  const at = parseIsoTime(o.expires);
  if (at === null) return undefined;
  // Without the run's start time an absolute expiry cannot be placed (interpreters always give one).
  return epochMs === undefined ? undefined : at - epochMs;
}
