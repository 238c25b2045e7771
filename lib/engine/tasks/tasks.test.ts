/** Built-in task implementations, Python semantics of their errors, and the modelled model service. */
import { describe, expect, it } from 'vitest';
import { exceptionMessage, exceptionRepr, pyException, pyRepr } from '../python';
import type { TaskRequest, TaskResult } from '../types';
import { executeTask } from '.';
import { mockResult, modelServiceCall } from './modelService';
import { modelRequestId } from './tutorial';

function req(
  name: string,
  args: TaskRequest['args'],
  kwargs: TaskRequest['kwargs'] = {},
  retries = 0,
): TaskRequest {
  return { id: 'tid', name, args, kwargs, retries, max_retries: 3, in_chord: false };
}

function run(name: string, args: TaskRequest['args'], kwargs: TaskRequest['kwargs'] = {}): TaskResult {
  return executeTask(undefined, req(name, args, kwargs));
}

describe('Python repr/str', () => {
  it('matches Python for values and exceptions', () => {
    expect(pyRepr({ a: [1, 2.5, 'x', null, true] })).toBe("{'a': [1, 2.5, 'x', None, True]}");
    expect(pyRepr("it's")).toBe('"it\'s"');
    expect(exceptionRepr(pyException('ExpectedException', 'Task expected to fail', 3))).toBe(
      "ExpectedException('Task expected to fail', 3)",
    );
    expect(exceptionMessage(['Task expected to fail', 3])).toBe("('Task expected to fail', 3)");
    expect(exceptionMessage(['x'])).toBe('x');
    expect(exceptionMessage([])).toBe('');
  });
});

describe('built-in tasks', () => {
  it('compute like Python', () => {
    expect(run('add', [1, 2])).toEqual({ kind: 'success', value: 3 });
    expect(run('add', ['a', 'b'])).toEqual({ kind: 'success', value: 'ab' });
    expect(run('add', [[1], [2]])).toEqual({ kind: 'success', value: [1, 2] });
    expect(run('mul', ['ab', 2])).toEqual({ kind: 'success', value: 'abab' });
    expect(run('tsum', [[]])).toEqual({ kind: 'success', value: 0 });
    expect(run('xsum', [[1, [2, 3], 4]])).toEqual({ kind: 'success', value: 10 });
    expect(run('add_to_all', [[1, 2], 10])).toEqual({ kind: 'success', value: [11, 12] });
    expect(run('identity', [{ k: 1 }])).toEqual({ kind: 'success', value: { k: 1 } });
  });

  it('raise Python TypeErrors with Python text', () => {
    const error = (r: TaskResult) => (r.kind === 'error' ? r.error.message : `not an error: ${r.kind}`);
    expect(error(run('add', ['a', 1]))).toBe('can only concatenate str (not "int") to str');
    expect(error(run('add', [[1], 'x']))).toBe('can only concatenate list (not "str") to list');
    expect(error(run('add', [null, 1]))).toBe("unsupported operand type(s) for +: 'NoneType' and 'int'");
    expect(error(run('mul', ['a', 'b']))).toBe("can't multiply sequence by non-int of type 'str'");
    expect(error(run('add', [1, 2, 3]))).toBe('add() takes 2 positional arguments but 3 were given');
    expect(error(run('add', [], {}))).toBe("add() missing 2 required positional arguments: 'x' and 'y'");
    expect(error(run('add', [1], { x: 2 }))).toBe("add() got multiple values for argument 'x'");
    expect(error(run('identity', [1], { z: 2 }))).toBe("identity() got an unexpected keyword argument 'z'");
    expect(error(run('tsum', [5]))).toBe("'int' object is not iterable");
    expect(error(run('nope', []))).toBe("'nope'");
  });

  it('sleeping tasks return a sleep effect; fail raises ExpectedException with its args', () => {
    const d = run('delayed', [7], { ms: 30 });
    expect(d.kind === 'effect' && d.effect === 'sleep' ? [d.ms, d.then()] : d).toEqual([
      30,
      { kind: 'success', value: 7 },
    ]);
    const f = run('fail', [1, 'x'], { ms: 5 });
    expect(f.kind === 'effect' && f.effect === 'sleep' ? f.then() : f).toEqual({
      kind: 'error',
      error: pyException('ExpectedException', 'Task expected to fail', 1, 'x'),
    });
  });

  it('flaky retries with exc and countdown 0.2 s while retries < n', () => {
    expect(executeTask(undefined, req('flaky', [2, 'v'], {}, 1))).toEqual({
      kind: 'retry',
      countdown_s: 0.2,
      max_retries: 3,
      exc: pyException('ExpectedException', 'flaky', 1),
    });
    expect(executeTask(undefined, req('flaky', [2, 'v'], {}, 2))).toEqual({ kind: 'success', value: 'v' });
  });
});

describe('model service (seed Flask app)', () => {
  it('counts per request id, delays every call, fails while count <= fail_times', () => {
    const counts = new Map<string, number>();
    const call = {
      task_type: 'embed',
      text: 'HELLO WORLD',
      request_id: 'r',
      fail_times: 1,
      delay_seconds: 2,
    };
    const first = modelServiceCall(counts, call);
    expect(first).toEqual({
      status: 500,
      delay_ms: 2000,
      body: { error: 'Model inference failed', detail: 'Simulated failure #1 of 1', request_id: 'r' },
    });
    const second = modelServiceCall(counts, call);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ model: 'embedding-v1', call_count: 2, request_id: 'r' });
    expect(mockResult('classify', 'hey')).toMatchObject({ result: { label: 'neutral' } });
    expect(mockResult('preprocess', 'a  b')).toMatchObject({
      result: { processed: 'A  B', tokens: ['a', 'b'], length: 4 },
    });
  });

  it('request ids are task_<x>_<namespace-><task id>', () => {
    expect(modelRequestId('a', 'A')).toBe('task_a_A');
    expect(modelRequestId('b', 'B', 'run1')).toBe('task_b_run1-B');
  });
});
