/**
 * Celery's `celery.map` and `celery.starmap` built-ins (celery/app/builtins.py): ONE task that calls
 * the inner task's function once per item, in process and in order — `[task(item) for item in it]` and
 * `[task(*item) for item in it]`. The inner signature's own args/kwargs are not used (Celery calls
 * `signature(task).type`, the task itself). The first call that raises fails the whole task; a `retry()`
 * inside a direct call raises its exception (Celery's `called_directly`), without retrying.
 */
import type { Json, JsonObject } from '../../canvas/model';
import { pyException } from '../python';
import type { AttemptOutcome, TaskRequest, TaskResult } from '../types';
import type { Bound, Param } from './bind';
import type { TaskImpl } from './builtins';

type Run = (name: string, request: TaskRequest) => TaskResult;

function innerName(task: Json): string | undefined {
  if (typeof task === 'string') return task;
  if (task !== null && typeof task === 'object' && !Array.isArray(task) && typeof task.task === 'string')
    return task.task;
  return undefined;
}

/** What one direct call's outcome means inside a map: a value, or the exception that ends the map. */
function callOutcome(o: AttemptOutcome): { value: Json } | { error: AttemptOutcome } {
  switch (o.kind) {
    case 'success':
      return { value: o.value };
    case 'retry':
      return { error: { kind: 'error', error: o.exc ?? pyException('Retry', 'Task can be retried') } };
    case 'replace':
      return { error: { kind: 'error', error: pyException('TypeError', 'replace() outside of a worker') } };
    default:
      return { error: o };
  }
}

/** Calls `run` once per argument list, in order, performing effects between calls. */
function runCalls(
  run: Run,
  name: string,
  request: TaskRequest,
  calls: Json[][],
  i: number,
  values: Json[],
  observations: Json[],
): TaskResult {
  if (i >= calls.length) {
    const done: AttemptOutcome = { kind: 'success', value: values };
    if (observations.length > 0) done.observations = observations;
    return done;
  }
  const sub: TaskRequest = { ...request, name, args: calls[i] as Json[], kwargs: {} as JsonObject };
  const step = (r: TaskResult): TaskResult => {
    if (r.kind === 'effect') {
      if (r.effect === 'sleep') {
        const then = r.then;
        // biome-ignore lint/suspicious/noThenProperty: effects are never awaited; `then` continues the task.
        return { ...r, then: () => step(then()) };
      }
      const then = r.then;
      // biome-ignore lint/suspicious/noThenProperty: effects are never awaited; `then` continues the task.
      return { ...r, then: (response) => step(then(response)) };
    }
    if (r.observations !== undefined) observations.push(...r.observations);
    const o = callOutcome(r);
    if ('error' in o) {
      const failed = { ...o.error };
      if (observations.length > 0) failed.observations = observations;
      return failed;
    }
    values.push(o.value);
    return runCalls(run, name, request, calls, i + 1, values, observations);
  };
  return step(run(name, sub));
}

const PARAMS: Param[] = [
  { name: 'task', kind: 'positional' },
  { name: 'it', kind: 'positional' },
];

function mapImpl(run: Run, star: boolean): TaskImpl {
  return {
    params: PARAMS,
    run: (a: Bound, request: TaskRequest): TaskResult => {
      const name = innerName(a.get('task') ?? null);
      if (name === undefined)
        return { kind: 'error', error: pyException('TypeError', "'NoneType' object is not callable") };
      const it = a.get('it') ?? null;
      if (!Array.isArray(it))
        return {
          kind: 'error',
          error: pyException('TypeError', `'${it === null ? 'NoneType' : typeof it}' object is not iterable`),
        };
      const calls: Json[][] = [];
      for (const item of it) {
        if (!star) calls.push([item]);
        else if (Array.isArray(item)) calls.push(item);
        else
          return {
            kind: 'error',
            error: pyException('TypeError', `${name}() argument after * must be an iterable`),
          };
      }
      return runCalls(run, name, request, calls, 0, [], []);
    },
  };
}

/** `celery.map` and `celery.starmap`, calling inner tasks through `run` (the engine's executeTask). */
export function mapImpls(run: Run): Record<string, TaskImpl> {
  return { 'celery.map': mapImpl(run, false), 'celery.starmap': mapImpl(run, true) };
}
