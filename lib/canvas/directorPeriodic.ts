/**
 * celery-director's `periodic` setting (its `build_celery_schedule`): exactly one of `interval: <seconds>`,
 * `crontab: "minute hour day_of_month month_of_year day_of_week"`, or the legacy `schedule:` (seconds, or
 * a crontab string that director parses as `minute hour day_of_week day_of_month month_of_year` — a
 * documented quirk kept here), plus an optional default `payload`. Turned into what a BullMQ job
 * scheduler takes: `{every: ms}` or a standard 5-field cron `pattern` (UTC).
 */
import type { Json } from './model';

export type Schedule = { every_ms: number } | { pattern: string };

export interface PeriodicSpec {
  schedule: Schedule;
  /** The payload scheduled runs get (`periodic.payload`, default `{}`). */
  payload: Json;
  /** How director shows it (`interval: 60`, `crontab: 0 12 * * 1`). */
  label: string;
}

const CRON_FIELD = /^[0-9*/,\-A-Za-z?]+$/;

function cronFields(text: string): string[] | null {
  const fields = text.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f)) ? fields : null;
}

function seconds(value: unknown): number | null {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** Parses a workflow's `periodic` mapping; a sentence when director would refuse it too. */
export function parsePeriodic(workflow: string, value: unknown): PeriodicSpec | string {
  const bad = `The periodic setting of "${workflow}" must have exactly one of interval (seconds), crontab ("m h dom mon dow") or schedule, plus an optional payload.`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v).filter((k) => k !== 'payload');
  if (keys.length !== 1) return bad;
  const key = keys[0] as string;
  const payload = (v.payload ?? {}) as Json;
  const raw = v[key];
  if (key === 'interval') {
    const s = seconds(raw);
    if (s === null) return `The periodic interval of "${workflow}" must be a positive number of seconds.`;
    return { schedule: { every_ms: Math.round(s * 1000) }, payload, label: `interval: ${s}` };
  }
  if (key === 'crontab' || key === 'schedule') {
    const s = key === 'schedule' ? seconds(raw) : null;
    if (s !== null) return { schedule: { every_ms: Math.round(s * 1000) }, payload, label: `schedule: ${s}` };
    const fields = typeof raw === 'string' ? cronFields(raw) : null;
    if (fields === null)
      return `The periodic ${key} of "${workflow}" must be a crontab of five fields, e.g. "0 12 * * 1".`;
    // Legacy `schedule` strings are "m h dow dom mon" in director; a standard cron is "m h dom mon dow".
    const [m, h, a, b, c] = fields as [string, string, string, string, string];
    const pattern = key === 'schedule' ? `${m} ${h} ${b} ${c} ${a}` : fields.join(' ');
    return { schedule: { pattern }, payload, label: `${key}: ${String(raw).trim()}` };
  }
  return bad;
}
