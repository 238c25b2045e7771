/**
 * Performs the effects a task implementation asks for (`sleep`, `http` to the model service) for real,
 * with the attempt's abort signal (cancel, time limits) honoured.
 */
import type { Json } from '../../lib/canvas/model';
import type { HttpResponse, ModelRequest } from '../../lib/engine/types';

export class AbortedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError(String(signal.reason ?? 'aborted')));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError(String(signal.reason ?? 'aborted')));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `MODEL_SERVICE_URL` may be the service root or the full `/v1/predict` URL (the seed uses the latter). */
export function predictUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/predict') ? trimmed : `${trimmed}/v1/predict`;
}

export async function postModel(
  url: string,
  request: ModelRequest,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([timeout, signal]);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: both,
    });
    const text = await res.text();
    let body: Json = null;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      body = text;
    }
    return { kind: 'response', status: res.status, body };
  } catch (err) {
    if (signal.aborted) throw new AbortedError(String(signal.reason ?? 'aborted'));
    if (timeout.aborted) return { kind: 'timeout' };
    const cause = (err as { cause?: { message?: string } }).cause;
    return {
      kind: 'connection_error',
      message: cause?.message ?? (err instanceof Error ? err.message : String(err)),
    };
  }
}
