/**
 * The Socket.IO side of the security policy: the handshake's `Origin` must be the server's own or a
 * listed one (checked by engine.io before any transport is set up, websockets included), and with a
 * token set the socket must present it as Socket.IO `auth.token` or an `Authorization: Bearer` header.
 */
import type { IncomingMessage } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import { hostTrusted, judgeOrigin } from './origin';
import { bearerToken, type SecurityPolicy, tokenMatches } from './policy';

/** Socket.IO server options enforcing the origin rules (merge into `new Server(http, {...})`). */
export function socketServerOptions(policy: SecurityPolicy): Partial<ServerOptions> {
  return {
    allowRequest(req: IncomingMessage, callback: (err: string | null | undefined, ok: boolean) => void) {
      const origin = judgeOrigin(req.headers, policy);
      if (origin === 'foreign') return callback('origin not allowed (CHORDFLOW_CORS_ORIGINS)', false);
      if (!hostTrusted(req.headers, policy)) return callback('host not allowed without a token', false);
      callback(null, true);
    },
    // CORS for long-polling from listed origins only (the own origin needs none).
    cors: {
      origin: (origin, callback) =>
        callback(null, origin !== undefined && policy.corsOrigins.has(origin.toLowerCase())),
      credentials: false,
    },
  };
}

/** Refuses sockets without the token (when one is set), after the handshake's origin check. */
export function requireSocketToken(io: Server, policy: SecurityPolicy): void {
  const expected = policy.token;
  if (expected === undefined) return;
  io.use((socket, next) => {
    const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const fromHeader = bearerToken(socket.handshake.headers.authorization);
    if (tokenMatches(fromAuth, expected) || tokenMatches(fromHeader, expected)) next();
    else next(new Error('unauthorized: send the API token as auth.token or "Authorization: Bearer <token>"'));
  });
}
