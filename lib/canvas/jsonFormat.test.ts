/**
 * formatJson writes what the former per-level renderer wrote (kept here as the oracle) while nesting
 * stays under MAX_INDENT, and stays linear past it: a deep canvas is a small multiple of its JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatJson, MAX_INDENT } from './jsonFormat';

/** The former renderer: re-writes each value's one-line form at every level, indents without bound. */
function reference(value: unknown, width = 100): string {
  const compact = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map((x) => compact(x === undefined ? null : x)).join(', ')}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${compact(x)}`).join(', ')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  const render = (v: unknown, indent: number, used: number): string => {
    const oneLine = compact(v);
    if (v === null || typeof v !== 'object' || used + oneLine.length <= width) return oneLine;
    const pad = ' '.repeat(indent + 2);
    const end = ' '.repeat(indent);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      const items = v.map((x) => `${pad}${render(x === undefined ? null : x, indent + 2, indent + 2)}`);
      return `[\n${items.join(',\n')}\n${end}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([k, x]) => {
      const key = `${JSON.stringify(k)}: `;
      return `${pad}${key}${render(x, indent + 2, indent + 2 + key.length)}`;
    });
    return `{\n${lines.join(',\n')}\n${end}}`;
  };
  return `${render(value, 0, 0)}\n`;
}

describe('formatJson', () => {
  it('writes what the per-level renderer wrote while nesting stays under MAX_INDENT (property)', () => {
    const depth = Math.floor(MAX_INDENT / 2) - 1;
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: Math.min(depth, 8) }),
        fc.integer({ min: 10, max: 120 }),
        (v, w) => {
          expect(formatJson(v, w)).toBe(reference(v, w));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('a canvas nested 500 deep stays a small multiple of its JSON, indented at most MAX_INDENT', () => {
    let inner: unknown = { task: 'add', args: [0] };
    for (let d = 1; d <= 500; d++) {
      const tasks = [...Array.from({ length: 8 }, (_, i) => ({ task: 'add', args: [d, i] })), inner];
      inner = d % 2 === 0 ? { group: tasks } : { chord: { header: tasks, body: { task: 'tsum' } } };
    }
    const text = formatJson(inner);
    expect(JSON.parse(text)).toEqual(inner);
    expect(text.length).toBeLessThan(5 * JSON.stringify(inner).length);
    const indents = text.split('\n').map((line) => line.length - line.trimStart().length);
    expect(Math.max(...indents)).toBe(MAX_INDENT);
  });
});
