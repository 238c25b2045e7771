/**
 * The tutorial's mock model service in plain Node `http`, same behaviour as the seed's Flask app:
 * POST /v1/predict counts the call for `request_id` first, then sleeps `delay_seconds`, then fails with a
 * 500 while the count is ≤ `fail_times`, else answers the mock result. GET /v1/stats, POST /v1/reset,
 * GET /health. Counters live in process memory (isolation comes from unique request ids).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mockResult } from './mockResults';

export interface ModelService {
  server: Server;
  url: string;
  port: number;
  counts: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Reason phrases as the seed's Flask (Werkzeug) server sends them: Python's `requests` puts the phrase
 * into its HTTPError text (`500 Server Error: INTERNAL SERVER ERROR for url: …`), which tasks report.
 */
const WERKZEUG_REASONS: Record<number, string> = {
  200: 'OK',
  400: 'BAD REQUEST',
  404: 'NOT FOUND',
  405: 'METHOD NOT ALLOWED',
  413: 'REQUEST ENTITY TOO LARGE',
  500: 'INTERNAL SERVER ERROR',
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  const reason = WERKZEUG_REASONS[status];
  if (reason) res.writeHead(status, reason, headers);
  else res.writeHead(status, headers);
  res.end(text);
}

async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function field<T>(body: Record<string, unknown>, key: string, fallback: T): T | unknown {
  return body[key] === undefined || body[key] === null ? fallback : body[key];
}

/** Creates the request handler around a counter map (exported for embedding in another server). */
export function createModelServiceHandler(counts: Map<string, number>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/health' && req.method === 'GET') return send(res, 200, { status: 'ok' });
      if (path === '/v1/stats' && req.method === 'GET') return send(res, 200, Object.fromEntries(counts));
      if (path === '/v1/reset' && req.method === 'POST') {
        counts.clear();
        return send(res, 200, { status: 'reset' });
      }
      if (path === '/v1/predict' && req.method === 'POST') {
        const raw = await readBody(req);
        let body: Record<string, unknown> = {};
        try {
          const parsed: unknown = raw ? JSON.parse(raw) : {};
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
            body = parsed as Record<string, unknown>;
        } catch {
          return send(res, 400, { error: 'Request body is not valid JSON.' });
        }
        const text = String(field(body, 'text', ''));
        const taskType = String(field(body, 'task_type', 'preprocess'));
        const requestId = String(field(body, 'request_id', 'anonymous'));
        const failTimes = Number(field(body, 'fail_times', 0)) || 0;
        const delaySeconds = Number(field(body, 'delay_seconds', 0)) || 0;
        // (1) count first — even a call the client abandons later is counted, as in the seed.
        const callCount = (counts.get(requestId) ?? 0) + 1;
        counts.set(requestId, callCount);
        // (2) then delay, on every call.
        if (delaySeconds > 0) await new Promise((r) => setTimeout(r, delaySeconds * 1000));
        // (3) then fail while the count is within fail_times.
        if (callCount <= failTimes) {
          return send(res, 500, {
            error: 'Model inference failed',
            detail: `Simulated failure #${callCount} of ${failTimes}`,
            request_id: requestId,
          });
        }
        const { model, result } = mockResult(taskType, text);
        return send(res, 200, { model, result, request_id: requestId, call_count: callCount });
      }
      send(res, 404, { error: `Unknown route ${req.method} ${path}` });
    } catch (err) {
      if (!res.headersSent) send(res, 400, { error: err instanceof Error ? err.message : 'bad request' });
    }
  };
}

/** Starts the service on `port` (0 = any free port) in this process. */
export async function startModelService(
  options: { port?: number; host?: string } = {},
): Promise<ModelService> {
  const counts = new Map<string, number>();
  const server = createServer(createModelServiceHandler(counts));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    server,
    port,
    counts,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
