/**
 * The fast path of `checkArguments` (positional-only calls decided from the parameter list's shape)
 * answers exactly what CPython's full sequence of checks answers, for any parameter list and call.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskParam } from '../canvas/catalogue';
import { checkArguments, checkArgumentsInFull } from './typing';

const arbParam: fc.Arbitrary<TaskParam> = fc
  .record({
    name: fc.constantFrom('x', 'y', 'z', 'w', 'v'),
    kind: fc.constantFrom('positional', 'varargs', 'keyword'),
    optional: fc.boolean(),
  })
  .map(
    ({ name, kind, optional }) =>
      (optional ? { name, kind, default: null } : { name, kind }) as unknown as TaskParam,
  );

describe('checkArguments', () => {
  it('gives the full check’s answer, fast path or not', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(arbParam, { selector: (p) => p.name, maxLength: 5 }),
        fc.array(fc.integer(), { maxLength: 6 }),
        fc.dictionary(fc.constantFrom('x', 'y', 'q'), fc.integer(), { maxKeys: 2 }),
        (params, args, kwargs) => {
          expect(checkArguments('t', params, args, kwargs)).toEqual(
            checkArgumentsInFull('t', params, args, kwargs),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
