/**
 * The canvas part of the Python export stays linear in the canvas: nesting past `MAX_INLINE_DEPTH`
 * is hoisted into variables, so indentation and bracket nesting are bounded whatever the depth (real
 * Celery builds these modules: tests/celery/pythonExport.test.ts).
 */
import { describe, expect, it } from 'vitest';
import nestedChord from '../../../examples/nested-chord.json';
import { createCatalogue } from '../catalogue';
import { readAnyFormat, writeFormat } from '../detect';
import type { CanvasFile } from '../model';
import { toPythonModule } from '../pythonExport';
import { MAX_INLINE_DEPTH } from './canvasCode';

const LIMITS = { maxDepth: 600, maxTasks: 10_000_000 };

function read(json: unknown): CanvasFile {
  const r = readAnyFormat(typeof json === 'string' ? json : JSON.stringify(json), { limits: LIMITS });
  if (!r.ok) throw new Error(JSON.stringify(r.problems.slice(0, 3)));
  return r.value.file;
}

function python(file: CanvasFile): string {
  const r = writeFormat(file, 'python', { limits: LIMITS });
  if (!r.ok) throw new Error(JSON.stringify(r.problems.slice(0, 3)));
  return r.value;
}

/** `levels` levels, alternately a group and a chord header holding `width` tasks and the next level. */
function nested(levels: number, width: number, name = 'add'): unknown {
  let inner: unknown = { task: name, args: [0] };
  for (let d = 1; d <= levels; d++) {
    const tasks = [...Array.from({ length: width }, (_, i) => ({ task: name, args: [d, i] })), inner];
    inner = d % 2 === 0 ? { group: tasks } : { chord: { header: tasks, body: { task: 'tsum' } } };
  }
  return inner;
}

/** The canvas statements of a module: from its first statement to the call-time arguments. */
function canvasPart(text: string): string {
  const start = text.search(/^(s\d+|canvas) = /m);
  return text.slice(start, text.indexOf('\nINVOKE_ARGS'));
}

/** Deepest bracket nesting of `code` (its literals here hold no brackets). */
function bracketDepth(code: string): number {
  let depth = 0;
  let deepest = 0;
  for (const c of code) {
    if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  return deepest;
}

describe('Python export of deep canvases', () => {
  it('a canvas nested 500 deep exports to a small multiple of its JSON, with bounded nesting', () => {
    const json = JSON.stringify(nested(500, 10));
    const text = python(read(json));
    const preamble = python(read({ task: 'add', args: [0] })).length;
    expect(text.length - preamble).toBeLessThan(2 * json.length);
    const code = canvasPart(text);
    // Python refuses more than 200 nested brackets; inline, this canvas nests over 1,000.
    expect(bracketDepth(code)).toBeLessThan(4 * (MAX_INLINE_DEPTH + 2));
    const indents = code.split('\n').map((line) => line.length - line.trimStart().length);
    expect(Math.max(...indents)).toBeLessThanOrEqual(4 * (MAX_INLINE_DEPTH + 2));
    // Sub-canvases are assigned before use, the canvas last, and Celery may recurse that deep.
    expect(code).toMatch(/^s1 = /);
    expect(code).toMatch(/\ncanvas = group\(\[/);
    expect(text).toMatch(/^sys\.setrecursionlimit\(max\(sys\.getrecursionlimit\(\), \d+\)\)$/m);
    const defined = [...code.matchAll(/^(s\d+) = /gm)].map((m) => m[1]);
    const used = [...code.matchAll(/^ +(s\d+),$/gm)].map((m) => m[1]);
    expect(new Set(used)).toEqual(new Set(defined));
    expect(used).toHaveLength(defined.length);
  });

  it('hoisted variables never take a name the module defines', () => {
    // Task `s1` becomes function s1; exception s2 becomes class s2.
    const deep = JSON.stringify(nested(12, 1, 's1')).replace(
      '"args":[0]',
      '"args":[0],"options":{"autoretry_for":["s2"]}',
    );
    const code = toPythonModule(read(deep), createCatalogue());
    expect(code).toMatch(/^def s1\(/m);
    expect(code).toMatch(/^class s2\(Exception\):/m);
    expect(code).not.toMatch(/^s[12] = /m);
    expect(code).toMatch(/^s3 = /m);
  });

  it('small canvases stay one inline expression', () => {
    const code = canvasPart(python(read(nestedChord)));
    expect(code).toMatch(/^canvas = chord\(\[\n {4}chain\(\n {8}add\.s\(1, 1\),/);
    expect(code).not.toMatch(/^s\d+ = /m);
    expect(python(read(nested(4, 1)))).not.toMatch(/^s\d+ = |setrecursionlimit/m);
  });
});
