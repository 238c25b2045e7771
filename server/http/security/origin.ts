/**
 * Cross-origin rules. A browser tells us where a request comes from (`Origin`); a request from the
 * server's own origin or from `CHORDFLOW_CORS_ORIGINS` may act, any other origin may not. Requests
 * without `Origin` come from programs (curl, scripts), which CSRF cannot forge, and pass.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { normalizeOrigin, type SecurityPolicy } from './policy';

/** The server's own origins as the request addressed it (`Host`), over http and https. */
function ownOrigins(headers: IncomingHttpHeaders): string[] {
  const host = headers.host;
  if (!host) return [];
  return [`http://${host}`.toLowerCase(), `https://${host}`.toLowerCase()];
}

export type OriginVerdict = 'none' | 'own' | 'listed' | 'foreign';

/** Where a request comes from, as far as the policy is concerned. */
export function judgeOrigin(headers: IncomingHttpHeaders, policy: SecurityPolicy): OriginVerdict {
  const raw = headers.origin;
  if (raw === undefined) return 'none';
  const origin = normalizeOrigin(raw);
  // `Origin: null` (sandboxed frames, file: pages) and garbage are foreign.
  if (origin === null) return 'foreign';
  if (ownOrigins(headers).includes(origin)) return 'own';
  if (policy.corsOrigins.has(origin)) return 'listed';
  return 'foreign';
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Whether the `Host` a request addressed may be served without a token. DNS rebinding points an
 * attacker's name at 127.0.0.1, making the attacker's page "same-origin" with us: without a token, only
 * loopback names, IP literals and the hosts of listed origins are answered.
 */
export function hostTrusted(headers: IncomingHttpHeaders, policy: SecurityPolicy): boolean {
  if (policy.token !== undefined) return true;
  const host = headers.host;
  if (!host) return true; // HTTP/1.0 programs; browsers always send Host.
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (LOOPBACK_NAMES.has(hostname) || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('['))
    return true;
  for (const origin of policy.corsOrigins) if (new URL(origin).hostname === hostname) return true;
  return false;
}

/** CORS response headers for a listed origin (none for others: the browser then withholds the answer). */
export function corsHeaders(headers: IncomingHttpHeaders, policy: SecurityPolicy): Record<string, string> {
  if (judgeOrigin(headers, policy) !== 'listed') return {};
  return {
    'access-control-allow-origin': normalizeOrigin(headers.origin as string) as string,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}
