/**
 * The seed tutorial's four tasks (seed-tutorial-and-director.md 1.3–1.5): TASK_A preprocess, TASK_B
 * embed, TASK_C classify, TASK_D merge. Payload from kwargs like the seed; each model call is an `http`
 * effect that the interpreter performs (simulated service or real HTTP), 5 s client timeout.
 */
import type { Json, JsonObject } from '../../canvas/model';
import type { TaskError } from '../../protocol/events';
import { pyException, pyRepr } from '../python';
import type { HttpResponse, TaskRequest, TaskResult } from '../types';
import type { Bound } from './bind';
import type { TaskImpl } from './builtins';

/** Per scenario: `[fail_times, delay_seconds]` for tasks a, b, c (the seed's SCENARIO_CONFIG). */
export const SCENARIO_CONFIG: Record<string, Record<'a' | 'b' | 'c', [number, number]>> = {
  happy: { a: [0, 0], b: [0, 0], c: [0, 0] },
  flaky: { a: [2, 0], b: [0, 0], c: [0, 0] },
  slow: { a: [0, 8], b: [0, 0], c: [0, 0] },
  down: { a: [999, 0], b: [0, 0], c: [0, 0] },
  partial_fail: { a: [0, 0], b: [999, 0], c: [0, 0] },
};

export const TUTORIAL_SCENARIOS = Object.keys(SCENARIO_CONFIG);

export const DEFAULT_SERVICE_URL = 'http://model-service:9000/v1/predict';
/** The seed's `requests.post(..., timeout=5)`. */
export const HTTP_TIMEOUT_MS = 5000;

/** The model request id of a task instance: `task_<x>_<namespace-><task id>` (stable across retries). */
export function modelRequestId(letter: string, taskId: string, namespace?: string): string {
  return `task_${letter}_${namespace ? `${namespace}-` : ''}${taskId}`;
}

const REASONS: Record<number, string> = {
  400: 'BAD REQUEST',
  404: 'NOT FOUND',
  405: 'METHOD NOT ALLOWED',
  500: 'INTERNAL SERVER ERROR',
  502: 'BAD GATEWAY',
  503: 'SERVICE UNAVAILABLE',
  504: 'GATEWAY TIMEOUT',
};

function hostPort(url: string): { host: string; port: string } {
  const m = /^\w+:\/\/([^/:]+)(?::(\d+))?/.exec(url);
  return { host: m?.[1] ?? 'localhost', port: m?.[2] ?? (url.startsWith('https') ? '443' : '80') };
}

/** The `requests` exception for a failed call, with requests' message text. */
export function httpError(response: HttpResponse, url: string): TaskError | null {
  if (response.kind === 'timeout') {
    const { host, port } = hostPort(url);
    return pyException(
      'ReadTimeout',
      `HTTPConnectionPool(host='${host}', port=${port}): Read timed out. (read timeout=${HTTP_TIMEOUT_MS / 1000})`,
    );
  }
  if (response.kind === 'connection_error') return pyException('ConnectionError', response.message);
  if (response.status >= 400) {
    const side = response.status >= 500 ? 'Server' : 'Client';
    const reason = REASONS[response.status] ?? 'ERROR';
    return pyException('HTTPError', `${response.status} ${side} Error: ${reason} for url: ${url}`);
  }
  return null;
}

function obj(value: Json | undefined): JsonObject {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value)
    ? value
    : {};
}

function payloadOf(a: Bound): JsonObject {
  return obj(a.varkw.payload);
}

function scenarioOf(payload: JsonObject, letter: 'a' | 'b' | 'c'): [number, number] {
  const name = typeof payload.scenario === 'string' ? payload.scenario : 'happy';
  const row = SCENARIO_CONFIG[name] ?? (SCENARIO_CONFIG.happy as Record<'a' | 'b' | 'c', [number, number]>);
  return row[letter];
}

/** One model call; `onBody` turns a 200 body into the task's result. Errors raise like `raise_for_status`. */
function callModel(
  r: TaskRequest,
  letter: 'a' | 'b' | 'c',
  taskType: string,
  text: string,
  payload: JsonObject,
  onError: (error: TaskError) => TaskResult,
  onBody: (body: JsonObject) => Json,
): TaskResult {
  const [fail_times, delay_seconds] = scenarioOf(payload, letter);
  const url = r.service_url ?? DEFAULT_SERVICE_URL;
  return {
    kind: 'effect',
    effect: 'http',
    request: {
      task_type: taskType,
      text,
      request_id: modelRequestId(letter, r.id, r.namespace),
      fail_times,
      delay_seconds,
    },
    timeout_ms: HTTP_TIMEOUT_MS,
    // biome-ignore lint/suspicious/noThenProperty: effects are never awaited; `then` continues the task.
    then: (response) => {
      const error = httpError(response, url);
      if (error !== null) return onError(error);
      return { kind: 'success', value: onBody(response.kind === 'response' ? obj(response.body) : {}) };
    },
  };
}

/** Autoretry tasks just raise; the core matches `autoretry_for`. */
const raiseIt = (error: TaskError): TaskResult => ({ kind: 'error', error });

function parentText(a: Bound): string {
  const parent = obj(a.varargs[0]);
  return typeof parent.processed === 'string' ? parent.processed : '';
}

const TUTORIAL_PARAMS: TaskImpl['params'] = [
  { name: 'args', kind: 'varargs' },
  { name: 'kwargs', kind: 'varkw' },
];

export const TUTORIAL_IMPLS: Record<string, TaskImpl> = {
  TASK_A: {
    params: TUTORIAL_PARAMS,
    run: (a, r) => {
      const payload = payloadOf(a);
      const raw = typeof payload.raw === 'string' ? payload.raw : 'hello world';
      return callModel(r, 'a', 'preprocess', raw, payload, raiseIt, (body) => {
        const result = obj(body.result);
        return {
          processed: result.processed ?? null,
          length: result.length ?? null,
          model: body.model ?? null,
          retries_used: r.retries,
        };
      });
    },
  },
  TASK_B: {
    params: TUTORIAL_PARAMS,
    run: (a, r) =>
      callModel(
        r,
        'b',
        'embed',
        parentText(a),
        payloadOf(a),
        // Manual `raise self.retry(exc=exc)`: the countdown comes from the task's options (3 s).
        (error) => ({ kind: 'retry', exc: error }),
        (body) => {
          const result = obj(body.result);
          return {
            b_result: `embedding by B: dim=${pyRepr(result.dimension ?? null)}`,
            embedding: result.embedding ?? null,
            model: body.model ?? null,
            retries_used: r.retries,
          };
        },
      ),
  },
  TASK_C: {
    params: TUTORIAL_PARAMS,
    run: (a, r) =>
      callModel(r, 'c', 'classify', parentText(a), payloadOf(a), raiseIt, (body) => {
        const result = obj(body.result);
        const label = result.label ?? null;
        const confidence = result.confidence ?? null;
        return {
          c_result: `classified by C: ${typeof label === 'string' ? label : pyRepr(label)} (${pyRepr(confidence)})`,
          label,
          confidence,
          model: body.model ?? null,
          retries_used: r.retries,
        };
      }),
  },
  TASK_D: {
    params: TUTORIAL_PARAMS,
    run: (a) => {
      const parts = Array.isArray(a.varargs[0]) ? a.varargs[0] : [];
      const b = parts.map(obj).find((x) => 'b_result' in x) ?? {};
      const c = parts.map(obj).find((x) => 'c_result' in x) ?? {};
      return {
        kind: 'success',
        value: {
          final: 'merge complete',
          from_b: b.b_result ?? 'N/A',
          from_c: c.c_result ?? 'N/A',
          b_retries: b.retries_used ?? 0,
          c_retries: c.retries_used ?? 0,
        },
      };
    },
  },
};
