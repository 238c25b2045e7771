/** Task names and keyword names are user text: Object.prototype's members must not be found or set. */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../canvas/model';
import { executeTask, hasImplementation } from '.';
import { bindArgs } from './bind';

describe('prototype member names', () => {
  it('a task named constructor or toString is not registered', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(hasImplementation(name)).toBe(false);
      const r = executeTask(undefined, {
        id: 't',
        name,
        args: [],
        kwargs: {},
        retries: 0,
        max_retries: 3,
        in_chord: false,
      });
      expect(r).toMatchObject({ kind: 'error', error: { type: 'NotRegistered' } });
    }
  });

  it('a **kwargs key __proto__ is an ordinary keyword', () => {
    const kwargs = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 2}') as JsonObject;
    const bound = bindArgs('f', [{ name: 'kwargs', kind: 'varkw' }], [], kwargs);
    expect(Object.keys(bound.varkw)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(bound.varkw)).toBe(Object.prototype);
    expect(JSON.stringify(bound.varkw)).toBe('{"__proto__":{"polluted":1},"constructor":2}');
  });

  it('an unexpected keyword named like a prototype member is refused as in Python', () => {
    const r = bindArgs.bind(null, 'identity', [{ name: 'x', kind: 'positional' }], [1], { toString: 1 });
    expect(r).toThrow("identity() got an unexpected keyword argument 'toString'");
  });
});
