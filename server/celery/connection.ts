/**
 * Where a Celery app lives: its Redis broker and result backend. kombu prefixes pub/sub channels with the
 * broker's DB number (`/0.celeryev/…`, `/0.celery.pidbox`, celery-wire.md 0), so the DB is parsed here.
 */
import { Redis } from 'ioredis';

export interface CeleryTarget {
  brokerUrl: string;
  backendUrl: string;
  /** The app's default queue (`task_default_queue`). */
  queue: string;
}

/** The DB number of a redis:// URL (path `/N`, default 0). */
export function redisDb(url: string): number {
  try {
    const path = new URL(url).pathname.replace(/^\//, '');
    const n = Number(path || '0');
    return Number.isInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** The URL without its password, for records and logs. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://…';
  }
}

/** Checks that `url` is a Redis URL Chordflow can talk Celery's protocol over; a sentence otherwise. */
export function checkCeleryUrl(url: string, what: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${what} "${url}" is not a URL; give it as redis://host:port/db.`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    return `${what} must be a Redis URL (redis://… or rediss://…); Chordflow speaks Celery's Redis transport only.`;
  return undefined;
}

/** A connection that fails fast when the server is not there (the CLI and API answer with a sentence). */
export function celeryRedis(url: string): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 2, enableReadyCheck: true, lazyConnect: false });
  r.on('error', () => {});
  return r;
}
