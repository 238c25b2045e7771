/** Small HTTP helpers for the JSON API: errors as sentences, bounded bodies, never a 500 for bad input. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_LIMITS, type CanvasLimits, checkRawValue } from '../../lib/canvas/gate';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a JSON body already serialised, in parts (a big part made on another thread is not copied). */
export function sendJsonBytes(res: ServerResponse, status: number, parts: Uint8Array[]): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': parts.reduce((n, p) => n + p.byteLength, 0),
  });
  for (const p of parts) res.write(p);
  res.end();
}

/**
 * Reads a body of at most `limit` bytes (413 above) into a buffer of its own (never a slice of Node's
 * shared pool, so it can be handed to another thread).
 */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw new HttpError(
      413,
      `The request body is larger than ${limit} bytes (CHORDFLOW_BODY_LIMIT); send a smaller canvas or raise the limit.`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new HttpError(
        413,
        `The request body is larger than ${limit} bytes (CHORDFLOW_BODY_LIMIT); send a smaller canvas or raise the limit.`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Parses a JSON body (400 when it is empty, not JSON, or not usable under `limits`). */
export function parseJsonBody(bytes: Uint8Array, limits: CanvasLimits = API_LIMITS): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'The request body is empty; send a JSON object.');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(
      400,
      `The request body is not valid JSON (${err instanceof Error ? err.message : 'parse error'}).`,
    );
  }
  // Untrusted: nesting and numbers (1e999 parses as Infinity) are checked before anything reads it.
  const problems = checkRawValue(value, limits);
  if (problems.length > 0) {
    const errors = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    throw new HttpError(400, `The request body is not usable: ${errors[0]}`, { errors });
  }
  return value;
}

/** Reads and parses a JSON body of at most `limit` bytes (413 above, 400 when it is not JSON). */
export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
  limits: CanvasLimits = API_LIMITS,
): Promise<unknown> {
  return parseJsonBody(await readRawBody(req, limit), limits);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
