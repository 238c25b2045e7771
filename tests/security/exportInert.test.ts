/**
 * Exporters cannot be made to run code (issue #10). fast-check fills canvases with hostile text —
 * quotes, triple quotes, backslashes, line breaks, NULs, surrogates, `__import__('os').system(...)`,
 * YAML tags and anchors — in arguments, keyword names, labels, queues, exception names, payloads and the
 * document name. Whatever the gate accepts is exported and:
 * - the Python module is *imported* by the real Celery's Python (/usr/bin/python3) in a sandbox (an
 *   empty temporary working directory as HOME, a bare environment): nothing but definitions may happen —
 *   no file appears — and `json.dumps(canvas)` must equal our Celery JSON, so every string arrived as data;
 * - director YAML and Celery JSON are parsed back and must give the same canvas.
 * Hostile text that cannot be carried safely (an exception name that is code) is refused by the gate.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeToCanvasJson, toCanvasJson } from '@/lib/canvas/canvasJson';
import { createCatalogue } from '@/lib/canvas/catalogue';
import { toCeleryJson } from '@/lib/canvas/celeryJson';
import { readAnyFormat, writeFormat } from '@/lib/canvas/detect';
import { CLI_LIMITS, checkCanvasFile } from '@/lib/canvas/gate';
import type { CanvasFile, CanvasNode, Json, JsonObject, TaskNode } from '@/lib/canvas/model';
import { toPythonModule } from '@/lib/canvas/pythonExport';

const PYTHON = '/usr/bin/python3';
const sandboxes: string[] = [];
afterAll(() => {
  for (const d of sandboxes) rmSync(d, { recursive: true, force: true });
});

const PAYLOADS = [
  '"""; __import__("os").system("touch PWNED"); """',
  "'''\n__import__('os').system('touch PWNED')\n'''",
  '\\"); __import__("os").system("touch PWNED")  #',
  '\n__import__("os").system("touch PWNED")\n',
  'Boom(Exception):\n    pass\nopen("PWNED", "w")\nclass Boom2',
  '!!python/object/apply:os.system ["touch PWNED"]',
  '&a [*a, *a]',
  '{{ open("PWNED","w") }}',
  '\u0000\u2028\u2029\ud800\\N{BULLET}\\x00',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string that looks like a JS template
  '${process.exit(1)}',
  '__proto__',
  'constructor',
  '- a\n- b: c\n--- \n...',
];

const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PAYLOADS),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom('"', "'", '\\', '\n', '{', '}', '#', ':', '!', '&', '*', 'x'),
    maxLength: 10,
  }),
);

const value: fc.Arbitrary<Json> = fc.oneof(
  hostile,
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(hostile, hostile, { maxKeys: 2 }).map((o) => own(o)),
  fc.array(hostile, { maxLength: 2 }),
);

/** Copies entries as own properties (a generated key `__proto__` must stay a key). */
function own(entries: Record<string, Json>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(entries))
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const exceptionName = fc.oneof(fc.constantFrom('ValueError', 'MyError', 'RequestException'), hostile);

const taskNode: fc.Arbitrary<TaskNode> = fc
  .record({
    args: fc.array(value, { maxLength: 3 }),
    kwargs: fc.array(fc.tuple(hostile, value), { maxLength: 3 }),
    id: fc.option(hostile, { nil: undefined }),
    queue: fc.option(hostile, { nil: undefined }),
    autoretry: fc.array(exceptionName, { maxLength: 2 }),
  })
  .map(({ args, kwargs, id, queue, autoretry }) => {
    const node: TaskNode = {
      type: 'task',
      task: 'identity',
      args,
      kwargs: own(Object.fromEntries(kwargs)),
      immutable: false,
      options: {
        ...(queue !== undefined ? { queue } : {}),
        ...(autoretry.length > 0 ? { autoretry_for: autoretry } : {}),
      },
      link: [],
      link_error: [],
    };
    if (id !== undefined) node.id = id;
    return node;
  });

const canvasArb: fc.Arbitrary<{ file: CanvasFile; name: string }> = fc
  .record({
    tasks: fc.array(taskNode, { minLength: 1, maxLength: 3 }),
    kind: fc.constantFrom('chain', 'group'),
    invoke: fc.array(value, { maxLength: 2 }),
    name: hostile,
  })
  .map(({ tasks, kind, invoke, name }) => ({
    file: {
      canvas: { type: kind, tasks, link: [], link_error: [] } as CanvasNode,
      invoke: { args: invoke, kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    },
    name,
  }));

/** JSON text with every object's keys sorted (Python keeps insertion order, JS puts integer keys first). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const IMPORT_ALL = `
import importlib.util, json, sys
out = []
for i, path in enumerate(json.load(sys.stdin)):
    spec = importlib.util.spec_from_file_location('chordflow_hostile_%d' % i, path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    out.append(json.loads(json.dumps(m.canvas)))
json.dump(out, sys.stdout)
`;

/** Imports every module under the real Celery in a fresh, empty working directory; returns the canvases and what the directory holds afterwards. */
function importInSandbox(modules: string[]): { canvases: unknown[]; files: string[]; stderr: string } {
  const sandbox = mkdtempSync(join(tmpdir(), 'chordflow-inert-'));
  sandboxes.push(sandbox);
  const paths = modules.map((text, i) => {
    const path = join(sandbox, `hostile_${i}.py`);
    writeFileSync(path, text);
    return path;
  });
  const r = spawnSync(PYTHON, ['-I', '-B', '-c', IMPORT_ALL], {
    cwd: sandbox,
    input: JSON.stringify(paths),
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: sandbox,
      PYTHONDONTWRITEBYTECODE: '1',
      LANG: 'C.UTF-8',
    } as unknown as NodeJS.ProcessEnv,
  });
  const files = readdirSync(sandbox).filter((f) => !/^hostile_\d+\.py$/.test(f));
  return { canvases: r.status === 0 ? (JSON.parse(r.stdout) as unknown[]) : [], files, stderr: r.stderr };
}

describe('exports of hostile canvases are inert', () => {
  it('the sandbox sees what a module does on import (the check can fail)', () => {
    const { files } = importInSandbox(['open("PWNED", "w").close()\ncanvas = {}\n']);
    expect(files).toEqual(['PWNED']);
  });

  it('the Python module only defines things when imported, and carries every string as data', () => {
    const samples = fc.sample(canvasArb, { numRuns: 300, seed: 1010 });
    const accepted = samples.filter(({ file }) => checkCanvasFile(file, CLI_LIMITS).length === 0);
    const refused = samples.length - accepted.length;
    // Both sides are exercised: hostile exception names are refused, the rest exported.
    expect(refused).toBeGreaterThan(10);
    expect(accepted.length).toBeGreaterThan(40);
    const kwargKeys = accepted.flatMap(({ file }) =>
      file.canvas.type === 'chain' || file.canvas.type === 'group'
        ? file.canvas.tasks.flatMap((t) => (t.type === 'task' ? Object.keys(t.kwargs) : []))
        : [],
    );
    expect(kwargKeys.some((k) => !/^[A-Za-z_]\w*$/.test(k))).toBe(true);
    const modules = accepted.map(({ file, name }) => {
      const r = writeFormat(file, 'python', { catalogue: createCatalogue(), name });
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.value;
    });
    const { canvases, files, stderr } = importInSandbox(modules);
    expect(stderr).not.toMatch(/Traceback|SyntaxError/);
    expect(files).toEqual([]);
    expect(canvases).toHaveLength(accepted.length);
    accepted.forEach(({ file }, i) => {
      expect(canonical(canvases[i])).toBe(canonical(JSON.parse(JSON.stringify(toCeleryJson(file).json))));
    });
  }, 120_000);

  it('the issue’s injected autoretry_for is refused by the gate and by the exporter itself', () => {
    const text = JSON.stringify({
      task: 'identity',
      args: [1],
      options: {
        autoretry_for: ['Boom(Exception):\n    pass\n__import__("os").system("touch x")\nclass Boom2'],
      },
    });
    const read = readAnyFormat(text);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problems[0]?.path).toBe('canvas.options.autoretry_for[0]');
    // Built in code, past every reader: the exporter refuses to write the name as code.
    const file: CanvasFile = {
      canvas: {
        type: 'task',
        task: 'identity',
        args: [1],
        kwargs: {},
        immutable: false,
        options: { autoretry_for: ['X(Exception):\n    pass\nimport os\nclass Y'] },
        link: [],
        link_error: [],
      },
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    };
    expect(writeFormat(file, 'python').ok).toBe(false);
    expect(() => toPythonModule(file, createCatalogue())).toThrow(/not usable as an exception name/);
  });

  it('Celery JSON and director YAML read back to the same canvas', () => {
    const samples = fc.sample(canvasArb, { numRuns: 200, seed: 2020 });
    let yamlChecked = 0;
    for (const { file } of samples) {
      if (checkCanvasFile(file, CLI_LIMITS).length > 0) continue;
      const celery = writeFormat(file, 'celery-json');
      expect(celery.ok).toBe(true);
      if (!celery.ok) continue;
      const back = readAnyFormat(celery.value, { limits: CLI_LIMITS });
      expect(back.ok, celery.value).toBe(true);
      // Celery's JSON is the signature only (no call-time arguments): compare the canvases.
      if (back.ok)
        expect(canonical(nodeToCanvasJson(back.value.file.canvas))).toBe(
          canonical(nodeToCanvasJson(file.canvas)),
        );
    }
    // Director YAML carries a chain of plain tasks sharing one payload: put the hostile text there.
    const yamlArb = fc.record({ payload: value, n: fc.integer({ min: 1, max: 3 }) });
    for (const { payload, n } of fc.sample(yamlArb, { numRuns: 200, seed: 3030 })) {
      const tasks: TaskNode[] = Array.from({ length: n }, (_, i) => ({
        type: 'task',
        task: 'identity',
        args: i === 0 ? [null] : [],
        kwargs: own({ payload }),
        immutable: false,
        options: {},
        link: [],
        link_error: [],
      }));
      const file: CanvasFile = {
        canvas: { type: 'chain', tasks, link: [], link_error: [] },
        invoke: { args: [], kwargs: {} },
        config: { task_allow_error_cb_on_chord_header: false },
      };
      const yaml = writeFormat(file, 'director-yaml');
      expect(yaml.ok, JSON.stringify(payload)).toBe(true);
      if (!yaml.ok) continue;
      const back = readAnyFormat(yaml.value);
      expect(back.ok, yaml.value).toBe(true);
      if (!back.ok) continue;
      expect(canonical(toCanvasJson(back.value.file))).toBe(canonical(toCanvasJson(file)));
      yamlChecked++;
    }
    expect(yamlChecked).toBe(200);
  });
});
