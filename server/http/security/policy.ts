/**
 * What the server lets in (SPEC 2.4, README "Security"): the API token, the origins allowed besides the
 * server's own, and the per-socket subscription cap. Read once from the environment.
 */
import { timingSafeEqual } from 'node:crypto';

export interface SecurityPolicy {
  /** `CHORDFLOW_API_TOKEN`: when set, every request but `/api/ping` and every socket needs it. */
  token: string | undefined;
  /** `CHORDFLOW_CORS_ORIGINS`: other origins (`https://director.example.com`) that may use the API. */
  corsOrigins: ReadonlySet<string>;
  /** `CHORDFLOW_MAX_SUBSCRIPTIONS`: runs one socket may watch at once. */
  maxSubscriptions: number;
}

/** Normalizes an origin (`scheme://host[:port]`, lower case, no path); `null` when it is not one. */
export function normalizeOrigin(text: string): string | null {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin.toLowerCase();
  } catch {
    return null;
  }
}

export function loadSecurityPolicy(env: Readonly<Record<string, string | undefined>>): SecurityPolicy {
  const corsOrigins = new Set<string>();
  for (const part of (env.CHORDFLOW_CORS_ORIGINS ?? '').split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const origin = normalizeOrigin(trimmed);
    if (origin === null)
      throw new Error(
        `CHORDFLOW_CORS_ORIGINS must list origins such as https://ui.example.com, got "${trimmed}".`,
      );
    corsOrigins.add(origin);
  }
  const rawMax = env.CHORDFLOW_MAX_SUBSCRIPTIONS;
  const maxSubscriptions = rawMax === undefined || rawMax === '' ? 100 : Number(rawMax);
  if (!Number.isInteger(maxSubscriptions) || maxSubscriptions < 1)
    throw new Error(`CHORDFLOW_MAX_SUBSCRIPTIONS must be a positive integer, got "${rawMax}".`);
  return { token: env.CHORDFLOW_API_TOKEN || undefined, corsOrigins, maxSubscriptions };
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m?.[1]?.trim();
}
