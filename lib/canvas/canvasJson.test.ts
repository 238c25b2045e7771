import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbCanvasFile } from './arbitraries';
import { shapeOf } from './build';
import { canvasFileFromJson, parseCanvasJson, toCanvasJson } from './canvasJson';

describe('parseCanvasJson', () => {
  it('reads a bare node with defaults filled in', () => {
    const r = parseCanvasJson('{"chain": [{"task": "add", "args": [2, 2]}, {"task": "add", "args": [4]}]}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.invoke).toEqual({ args: [], kwargs: {} });
    expect(r.value.config).toEqual({ task_allow_error_cb_on_chord_header: false });
    expect(r.value.canvas).toEqual({
      type: 'chain',
      link: [],
      link_error: [],
      tasks: [
        {
          type: 'task',
          task: 'add',
          args: [2, 2],
          kwargs: {},
          immutable: false,
          options: {},
          link: [],
          link_error: [],
        },
        {
          type: 'task',
          task: 'add',
          args: [4],
          kwargs: {},
          immutable: false,
          options: {},
          link: [],
          link_error: [],
        },
      ],
    });
  });

  it('reads the file wrapper with invoke and config', () => {
    const r = canvasFileFromJson({
      canvas: { task: 'add', args: [1] },
      invoke: { args: [5] },
      config: { task_allow_error_cb_on_chord_header: true },
    });
    expect(r.ok && r.value.invoke.args).toEqual([5]);
    expect(r.ok && r.value.config.task_allow_error_cb_on_chord_header).toBe(true);
  });

  it('folds a pipe with Celery |', () => {
    const r = parseCanvasJson('{"pipe": [{"group": [{"task": "a"}, {"task": "b"}]}, {"task": "tsum"}]}');
    expect(r.ok && shapeOf(r.value.canvas)).toBe('chord([a, b], tsum)');
  });

  it('reports every structural problem with its path and a sentence', () => {
    const r = canvasFileFromJson({
      chain: [
        { task: 'add', args: 5 },
        { chord: { header: [{ task: 'a' }] } },
        { group: [{ tsk: 'x' }] },
        { task: 'add', options: { max_retries: 'three', retries: 2 } },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.problems.map((p) => [p.path, p.message]));
    expect(byPath['canvas.chain[0].args']).toBe('"args" must be a list, not number 5.');
    expect(byPath['canvas.chain[1].chord.body']).toMatch(/no body/);
    expect(byPath['canvas.chain[2].group[0]']).toMatch(/exactly one of "task"/);
    expect(byPath['canvas.chain[3].options.max_retries']).toMatch(/must be a number, not the string "three"/);
    expect(byPath['canvas.chain[3].options.retries']).toMatch(/Unknown options field "retries"/);
  });

  it('gives line and column for malformed JSON', () => {
    const r = parseCanvasJson('{\n  "task": "add",\n  "args": [1,,2]\n}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]?.message).toMatch(/line 3, column 14/);
  });

  it('writes the compact form: defaults omitted, bare node when invoke/config are default', () => {
    const r = parseCanvasJson(
      '{"canvas": {"task": "add", "args": [], "kwargs": {}, "immutable": false, "options": {}}}',
    );
    expect(r.ok && toCanvasJson(r.value)).toEqual({ task: 'add' });
  });

  test.prop([arbCanvasFile()], { numRuns: 200 })('round-trips every canvas file exactly', (file) => {
    const json = JSON.parse(JSON.stringify(toCanvasJson(file)));
    const back = canvasFileFromJson(json);
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.value).toEqual(file);
  });

  it('keeps a raw chain raw only when folding would change it', () => {
    const raw = { type: 'chain' as const, raw: true, link: [], link_error: [], tasks: [] };
    const file = {
      canvas: { ...raw, tasks: [{ type: 'group' as const, tasks: [], link: [], link_error: [] }] },
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    };
    expect(toCanvasJson(file)).toEqual({ chain: [{ group: [] }] });
  });
});

describe('raw chains', () => {
  it('marks a chain raw when folding its steps would build something else', () => {
    const r = parseCanvasJson(
      '{"pipe": [{"chord": {"header": [{"task": "a"}], "body": {"task": "b"}}}, {"group": [{"task": "c"}, {"task": "d"}]}]}',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(shapeOf(r.value.canvas)).toBe('chain(chord([a], b), group(c, d))');
    const json = toCanvasJson(r.value) as { raw?: boolean };
    expect(json.raw).toBe(true);
    const back = canvasFileFromJson(json);
    expect(back.ok && shapeOf(back.value.canvas)).toBe('chain(chord([a], b), group(c, d))');
  });
});

describe('locateJsonError', () => {
  it('finds the line and column of the first mistake', async () => {
    const { locateJsonError } = await import('./jsonError');
    expect(locateJsonError('{"a": [1, 2]}')).toBeNull();
    expect(locateJsonError('{"a": [1 2]}')).toMatchObject({
      line: 1,
      column: 10,
      message: 'expected "," or "]" but found "2"',
    });
    expect(locateJsonError('{\n  "a": tru\n}')).toMatchObject({ line: 2, column: 8 });
    expect(locateJsonError('{"a": "x\n"}')).toMatchObject({ line: 1, column: 9 });
    expect(locateJsonError('{"a": 1} x')).toMatchObject({
      message: 'expected the end of the text after the value but found "x"',
    });
    expect(locateJsonError('')).toMatchObject({ line: 1, column: 1 });
  });
});

describe('formatJson', () => {
  it('keeps short values on one line and stays valid JSON', async () => {
    const { formatJson } = await import('./jsonFormat');
    const value = {
      chain: [
        { task: 'add', args: [2, 2] },
        { task: 'x'.repeat(120), kwargs: { 'a[ b': 'c{ d' } },
      ],
    };
    const text = formatJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('{"task": "add", "args": [2, 2]}');
    expect(formatJson([1, [2, 3]])).toBe('[1, [2, 3]]\n');
  });
});
