/**
 * The tutorial's mock model service (the seed's Flask app, seed-tutorial-and-director.md 1.2) as a pure
 * function over a call-counter map: the simulator calls it on its virtual clock; the Node mock service
 * can serve it over HTTP. Order per call: count the request id, delay, then the fail check.
 */
import type { Json, JsonObject } from '../../canvas/model';
import type { ModelRequest } from '../types';

/** Python `len`: code points, not UTF-16 units. */
export function pyLen(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Python `round(x, 4)` for the embedding values (checked for lengths 0–500). */
function round4(x: number): number {
  return Number(x.toFixed(4));
}

/** The mock result for a task type (`{model, result}`). */
export function mockResult(taskType: string, text: string): JsonObject {
  const len = pyLen(text);
  switch (taskType) {
    case 'preprocess':
      return {
        model: 'text-preprocessor-v1',
        result: {
          processed: text.toUpperCase(),
          tokens: text.split(/\s+/).filter((t) => t !== ''),
          length: len,
        },
      };
    case 'embed': {
      const embedding: Json[] = [];
      for (let i = 0; i < 8; i++) embedding.push(round4(len * 0.1 + i * 0.01));
      return { model: 'embedding-v1', result: { embedding, dimension: 8 } };
    }
    case 'classify':
      return {
        model: 'classifier-v1',
        result: {
          label: len > 5 ? 'positive' : 'neutral',
          confidence: 0.92,
          categories: ['positive', 'neutral', 'negative'],
        },
      };
    case 'merge':
      return {
        model: 'aggregator-v1',
        result: { summary: `Merged analysis for: ${[...text].slice(0, 50).join('')}`, status: 'complete' },
      };
    default:
      return { model: 'unknown', result: { raw: text } };
  }
}

/** One `/v1/predict` call: status, body and how long the service takes before answering. */
export interface ModelReply {
  status: number;
  body: JsonObject;
  delay_ms: number;
}

/** Parses a `/v1/predict` body with the Flask app's defaults. */
export function modelRequestFrom(body: Json): ModelRequest {
  const o = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const num = (v: Json | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    text: typeof o.text === 'string' ? o.text : '',
    task_type: typeof o.task_type === 'string' ? o.task_type : 'preprocess',
    request_id: typeof o.request_id === 'string' ? o.request_id : 'anonymous',
    fail_times: num(o.fail_times),
    delay_seconds: num(o.delay_seconds),
  };
}

/** Handles one predict call; `counts` is the service's per-request-id call counter (mutated). */
export function modelServiceCall(counts: Map<string, number>, req: ModelRequest): ModelReply {
  const count = (counts.get(req.request_id) ?? 0) + 1;
  counts.set(req.request_id, count);
  const delay_ms = req.delay_seconds > 0 ? req.delay_seconds * 1000 : 0;
  if (count <= req.fail_times) {
    return {
      status: 500,
      delay_ms,
      body: {
        error: 'Model inference failed',
        detail: `Simulated failure #${count} of ${req.fail_times}`,
        request_id: req.request_id,
      },
    };
  }
  return {
    status: 200,
    delay_ms,
    body: { ...mockResult(req.task_type, req.text), request_id: req.request_id, call_count: count },
  };
}
