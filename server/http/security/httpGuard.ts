/**
 * The HTTP side of the security policy, applied to every API request before routing:
 * 1. CORS preflight (`OPTIONS`) answered for listed origins, refused for others;
 * 2. mutating requests from a foreign origin refused (403), whatever the token;
 * 3. with a token set, every request but `/api/ping` needs `Authorization: Bearer <token>` (401);
 * 4. mutating requests with a body that is not `application/json` refused (415) — a text/plain POST
 *    needs no CORS preflight, so this closes the "simple request" door.
 * Listed origins get CORS headers on every answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { corsHeaders, hostTrusted, judgeOrigin } from './origin';
import { bearerToken, type SecurityPolicy, tokenMatches } from './policy';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PUBLIC_PATHS = new Set(['/api/ping']);

function refuse(res: ServerResponse, status: number, message: string, extra: Record<string, string>): void {
  const text = JSON.stringify({ error: message, status });
  res.writeHead(status, {
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/**
 * Applies the policy to `req` for API path `path`. Returns true when it answered (refused or
 * preflight); otherwise it has set the CORS headers the answer needs and the route may run.
 */
export function guardApiRequest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  policy: SecurityPolicy,
): boolean {
  const method = req.method ?? 'GET';
  const cors = corsHeaders(req.headers, policy);
  const origin = judgeOrigin(req.headers, policy);
  if (method === 'OPTIONS') {
    if (origin === 'listed') {
      res.writeHead(204, cors);
      res.end();
    } else
      refuse(
        res,
        403,
        'Cross-origin requests from this origin are not allowed (CHORDFLOW_CORS_ORIGINS).',
        {},
      );
    return true;
  }
  for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
  if (!hostTrusted(req.headers, policy)) {
    refuse(
      res,
      403,
      `Without CHORDFLOW_API_TOKEN this server answers only requests addressed to a loopback or IP address, not to "${req.headers.host}" (DNS rebinding); set a token or list the origin in CHORDFLOW_CORS_ORIGINS.`,
      cors,
    );
    return true;
  }
  const mutating = !SAFE_METHODS.has(method);
  if (mutating && origin === 'foreign') {
    refuse(
      res,
      403,
      `Requests from origin ${req.headers.origin} may not change anything here; list it in CHORDFLOW_CORS_ORIGINS to allow it.`,
      cors,
    );
    return true;
  }
  if (policy.token !== undefined && !PUBLIC_PATHS.has(path)) {
    if (!tokenMatches(bearerToken(req.headers.authorization), policy.token)) {
      refuse(res, 401, 'This API needs a token: send "Authorization: Bearer <CHORDFLOW_API_TOKEN>".', {
        ...cors,
        'www-authenticate': 'Bearer',
      });
      return true;
    }
  }
  if (
    mutating &&
    (req.headers['content-type'] !== undefined || hasBody(req)) &&
    !isJson(req.headers['content-type'])
  ) {
    refuse(
      res,
      415,
      `This route takes JSON: send the body with "Content-Type: application/json" (got ${JSON.stringify(req.headers['content-type'] ?? 'none')}).`,
      cors,
    );
    return true;
  }
  return false;
}
