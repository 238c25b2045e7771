import { describe, expect, it } from 'vitest';
import type { Json } from '../../canvas/model';
import type { TaskRequest, TaskResult } from '../types';
import { bindArgs, Raise } from './bind';
import { BUILTIN_IMPLS } from './builtins';
import { directTask } from './index';

/** What the implementation's general path answers: bind, run, an exception as an error outcome. */
function slow(name: string, args: Json[]): TaskResult {
  const impl = BUILTIN_IMPLS[name];
  if (impl === undefined) throw new Error(name);
  const request: TaskRequest = {
    id: 't',
    name,
    args,
    kwargs: {},
    retries: 0,
    max_retries: 3,
    in_chord: false,
  };
  try {
    return impl.run(bindArgs(name, impl.params, args, {}), request);
  } catch (err) {
    if (err instanceof Raise) return { kind: 'error', error: err.error };
    throw err;
  }
}

const values: Json[] = [0, 1, -2.5, 7, 'a', 'bc', null, true, [], [1, 2], [1, 'x'], [[1], [2]], { k: 1 }];

describe('directTask (the pure built-ins without binding)', () => {
  const direct = Object.entries(BUILTIN_IMPLS).filter(([, impl]) => impl.direct !== undefined);

  it('covers the one-line built-ins a big canvas is made of', () => {
    expect(direct.map(([name]) => name).sort()).toEqual(['add', 'identity', 'mul', 'tsum']);
  });

  it('answers what the general path answers, errors included', () => {
    let errors = 0;
    for (const [name, impl] of direct) {
      const calls: Json[][] =
        impl.params.length === 1 ? values.map((v) => [v]) : values.flatMap((x) => values.map((y) => [x, y]));
      for (const args of calls) {
        const expected = slow(name, args);
        if (expected.kind === 'error') errors += 1;
        expect(directTask(name, args, {}), `${name}(${JSON.stringify(args)})`).toEqual(expected);
      }
    }
    // The cases include calls the task rejects (TypeError), so both outcomes are compared.
    expect(errors).toBeGreaterThan(0);
  });

  it('leaves any other call to executeTask', () => {
    expect(directTask('add', [1], {})).toBeUndefined();
    expect(directTask('add', [1, 2], { z: 1 })).toBeUndefined();
    expect(directTask('fail', [], {})).toBeUndefined();
    expect(directTask('no_such_task', [1], {})).toBeUndefined();
  });
});
