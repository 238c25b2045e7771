/**
 * The built-in tasks of SPEC 2.2 (Celery's documentation and test vocabulary), computed for real:
 * pure and synchronous; a task that sleeps returns a `sleep` effect for its interpreter to perform.
 */
import type { Json, JsonObject } from '../../canvas/model';
import type { TaskError } from '../../protocol/events';
import { pyException, pyStr } from '../python';
import type { TaskRequest, TaskResult } from '../types';
import { type Bound, type Param, raise } from './bind';
import { pyAdd, pyIter, pyMul, pySum } from './pyops';

export interface TaskImpl {
  params: Param[];
  run(a: Bound, request: TaskRequest): TaskResult;
  /**
   * The same task's value computed straight from exactly `params.length` positional arguments (no
   * keywords), for the pure one-line built-ins a big canvas is made of: no binding, no request. It must
   * equal `run`'s success value (or raise what `run` raises) for every such call.
   */
  direct?(args: readonly Json[]): Json;
}

const p = (name: string): Param => ({ name, kind: 'positional' });
const opt = (name: string, value: Json, kind: 'positional' | 'keyword' = 'positional'): Param => ({
  name,
  kind,
  default: value,
});

function v(a: Bound, name: string): Json {
  return a.get(name) ?? null;
}

/** Milliseconds argument: a number ≥ 0 (Python would raise on a bad `time.sleep` argument). */
function ms(value: Json): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    raise(
      'TypeError',
      `'${typeof value === 'string' ? 'str' : 'NoneType'}' object cannot be interpreted as a number`,
    );
  }
  if (value < 0) raise('ValueError', 'sleep length must be non-negative');
  return value;
}

function sleepThen(duration: number, then: () => TaskResult): TaskResult {
  return duration > 0 ? { kind: 'effect', effect: 'sleep', ms: duration, then } : then();
}

function asObject(value: Json): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function flaky(withExc: boolean) {
  return (a: Bound, r: TaskRequest): TaskResult => {
    const n = v(a, 'n');
    if (typeof n === 'number' && r.retries < n) {
      const maxRetries = v(a, 'max_retries');
      const out: TaskResult = {
        kind: 'retry',
        countdown_s: 0.2,
        max_retries: typeof maxRetries === 'number' ? maxRetries : null,
      };
      if (withExc) out.exc = pyException('ExpectedException', 'flaky', r.retries);
      return out;
    }
    return { kind: 'success', value: v(a, 'value') };
  };
}

/** Python `str(exc)` of an exception passed as JSON (`{type, message}`), else `str(value)`. */
function excText(exc: Json): { type: string; text: string } {
  const o = asObject(exc);
  if (typeof o.type === 'string')
    return { type: o.type, text: typeof o.message === 'string' ? o.message : '' };
  return { type: 'Exception', text: pyStr(exc) };
}

export const BUILTIN_IMPLS: Record<string, TaskImpl> = {
  identity: {
    params: [p('x')],
    run: (a) => ({ kind: 'success', value: v(a, 'x') }),
    direct: (args) => args[0] ?? null,
  },
  add: {
    params: [p('x'), p('y')],
    run: (a) => ({ kind: 'success', value: pyAdd(v(a, 'x'), v(a, 'y')) }),
    direct: (args) => pyAdd(args[0] ?? null, args[1] ?? null),
  },
  mul: {
    params: [p('x'), p('y')],
    run: (a) => ({ kind: 'success', value: pyMul(v(a, 'x'), v(a, 'y')) }),
    direct: (args) => pyMul(args[0] ?? null, args[1] ?? null),
  },
  tsum: {
    params: [p('nums')],
    run: (a) => ({ kind: 'success', value: pySum(v(a, 'nums')) }),
    direct: (args) => pySum(args[0] ?? null),
  },
  xsum: {
    params: [p('nums')],
    run: (a) => ({
      kind: 'success',
      value: pySum(pyIter(v(a, 'nums')).map((n) => (Array.isArray(n) ? pySum(n) : n))),
    }),
  },
  add_to_all: {
    params: [p('nums'), p('val')],
    run: (a) => ({ kind: 'success', value: pyIter(v(a, 'nums')).map((n) => pyAdd(n, v(a, 'val'))) }),
  },
  delayed: {
    params: [p('x'), opt('ms', 0)],
    run: (a) => sleepThen(ms(v(a, 'ms')), () => ({ kind: 'success', value: v(a, 'x') })),
  },
  fail: {
    params: [{ name: 'args', kind: 'varargs' }, opt('ms', 0, 'keyword')],
    run: (a) =>
      sleepThen(ms(v(a, 'ms')), () => ({
        kind: 'error',
        error: pyException('ExpectedException', 'Task expected to fail', ...a.varargs),
      })),
  },
  record: {
    params: [opt('value', null), opt('tag', null)],
    run: (a) => ({
      kind: 'success',
      value: v(a, 'value'),
      observations: [{ kind: 'record', tag: v(a, 'tag'), value: v(a, 'value') }],
    }),
  },
  on_error: {
    params: [p('request'), p('exc'), p('traceback'), opt('tag', null)],
    run: (a) => {
      const { type, text } = excText(v(a, 'exc'));
      const request = asObject(v(a, 'request'));
      return {
        kind: 'success',
        value: null,
        observations: [
          { kind: 'on_error', tag: v(a, 'tag'), task_id: request.id ?? null, exc_type: type, exc: text },
        ],
      };
    },
  },
  on_error_id: {
    params: [p('task_id'), opt('tag', null, 'keyword')],
    run: (a) => ({
      kind: 'success',
      value: null,
      observations: [{ kind: 'on_error_id', tag: v(a, 'tag'), task_id: v(a, 'task_id') }],
    }),
  },
  flaky: { params: [p('n'), p('value'), opt('max_retries', 3)], run: flaky(true) },
  flaky_noexc: { params: [p('n'), p('value'), opt('max_retries', 3)], run: flaky(false) },
  autoflaky: {
    params: [p('n'), p('value')],
    run: (a, r) => {
      const n = v(a, 'n');
      if (typeof n === 'number' && r.retries < n) {
        return { kind: 'error', error: pyException('ExpectedException', 'autoflaky', r.retries) };
      }
      return { kind: 'success', value: v(a, 'value') };
    },
  },
  add_replaced: {
    params: [p('x'), p('y')],
    run: (a) => ({ kind: 'replace', sig: { name: 'add', args: [v(a, 'x'), v(a, 'y')], kwargs: {} } }),
  },
  add_to_chord_task: {
    params: [p('nums'), p('val')],
    run: (a, r) => {
      if (!r.in_chord) raise('ValueError', 'Current task is not member of any chord');
      const sigs = pyIter(v(a, 'nums')).map((n) => ({ name: 'add', args: [n, v(a, 'val')], kwargs: {} }));
      return { kind: 'success', value: 0, add_to_chord: sigs };
    },
  },
};

/** The error outcome of an exception. */
export function errorOutcome(error: TaskError): TaskResult {
  return { kind: 'error', error };
}
