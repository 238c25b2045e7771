import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeJsonPretty } from './jsonChunks';

function pieces(value: Record<string, unknown>): string {
  const out: string[] = [];
  writeJsonPretty(value, (c) => out.push(c));
  return out.join('');
}

describe('writeJsonPretty', () => {
  it('writes exactly JSON.stringify(value, null, 2), arrays element by element', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        expect(pieces(obj)).toBe(JSON.stringify(obj, null, 2));
      }),
      { numRuns: 300 },
    );
    const report = {
      run_id: 'r',
      status: 'success',
      skipped: undefined,
      tasks: Array.from({ length: 4500 }, (_, i) => ({ id: `t${i}`, history: [{ attempt: 1 }], s: 'a\nb' })),
      observations: [],
      makespan_ms: 3,
    };
    expect(pieces(report)).toBe(JSON.stringify(report, null, 2));
    expect(pieces({})).toBe('{}');
  });
});
