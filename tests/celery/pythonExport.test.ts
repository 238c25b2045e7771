/**
 * The Python export runs under the real Celery (5.2 at /usr/bin/python3): each module is imported and
 * `json.dumps(canvas)` must equal `toCeleryJson` of the same canvas file (where a node's retry
 * `countdown` is `chordflow_retry_countdown`: Celery's `countdown` delays the first run); the module also keeps the call-time arguments and the chord-header
 * errback setting. Built-in task bodies compute what the simulator computes. Real runs under a worker:
 * pythonRun.int.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { arbCanvasFile } from '@/lib/canvas/arbitraries';
import { canvasFile, chain, task } from '@/lib/canvas/build';
import { parseCanvasJson } from '@/lib/canvas/canvasJson';
import { createCatalogue } from '@/lib/canvas/catalogue';
import { toCeleryJson } from '@/lib/canvas/celeryJson';
import { readAnyFormat } from '@/lib/canvas/detect';
import type { CanvasFile, Json } from '@/lib/canvas/model';
import { toPythonModule } from '@/lib/canvas/pythonExport';
import { simulate } from '@/lib/sim/simulate';
import { PYTHON, runPython } from './python';

const dir = mkdtempSync(join(tmpdir(), 'chordflow-pyexport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exportAndLoad(files: CanvasFile[]): Array<Record<string, unknown>> {
  const catalogue = createCatalogue();
  const paths = files.map((file, i) => {
    const path = join(dir, `canvas_${i}.py`);
    writeFileSync(path, toPythonModule(file, catalogue, { name: `case ${i}` }));
    return path;
  });
  return runPython('dump_modules.py', paths) as Array<Record<string, unknown>>;
}

/**
 * What the module must print: our Celery JSON as it is (both spell Chordflow's retry `countdown` as
 * `chordflow_retry_countdown` and `apply_countdown` as Celery's `countdown`, lib/canvas/celeryOptions.ts).
 */
function expectedJson(value: unknown): unknown {
  return value;
}

function example(name: string): CanvasFile {
  const r = parseCanvasJson(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.problems)}`);
  return r.value;
}

/**
 * Reads a deep Canvas JSON canvas through the gate (depth up to 600), exports it, loads the module under
 * real Celery and checks it builds our Celery JSON; returns the module's text.
 */
function exportDeepAndCompare(canvas: unknown): string {
  const read = readAnyFormat(JSON.stringify(canvas), { limits: { maxDepth: 600, maxTasks: 100_000 } });
  if (!read.ok) throw new Error(JSON.stringify(read.problems.slice(0, 3)));
  const file = read.value.file;
  const [loaded] = exportAndLoad([file]);
  expect(loaded?.error).toBeUndefined();
  expect(loaded?.canvas).toEqual(expectedJson(toCeleryJson(file).json));
  return readFileSync(join(dir, 'canvas_0.py'), 'utf8');
}

describe('Python export under real Celery', () => {
  it('builds the examples and odd names/kwargs exactly like our Celery JSON', () => {
    const files = [
      example('tutorial.json'),
      example('nested-chord.json'),
      example('errbacks.json'),
      canvasFile(
        task('proj.tasks.weird-name', [1.5, 'x"y', { a: [true, null] }], {
          kwargs: { 'not-an-identifier': 1, lambda: 2, ok: 3 },
          options: { queue: 'q', max_retries: null },
          id: 'label-1',
        }),
        { args: [7], kwargs: { z: 1 } },
      ),
      // Issue 15: sending options, .set() on containers, xmap/xstarmap/chunks.
      (() => {
        const r = parseCanvasJson(
          JSON.stringify({
            chain: [
              {
                task: 'add',
                args: [1, 2],
                options: { apply_countdown: 1, countdown: 2, expires: 5, priority: 3 },
              },
              {
                group: [
                  { xmap: { task: { task: 'identity' }, items: [1, 2] } },
                  { xstarmap: { task: { task: 'add' }, items: [[1, 2]] } },
                ],
                options: { queue: 'q' },
              },
              {
                chunks: {
                  task: { task: 'add', args: [] },
                  items: [
                    [1, 1],
                    [2, 2],
                  ],
                  n: 1,
                },
                options: { shadow: 's' },
              },
            ],
            options: { ignore_result: true },
          }),
        );
        if (!r.ok) throw new Error(JSON.stringify(r.problems));
        return r.value;
      })(),
    ];
    const loaded = exportAndLoad(files);
    files.forEach((file, i) => {
      expect(loaded[i]).toEqual({
        canvas: expectedJson(toCeleryJson(file).json),
        invoke: [file.invoke.args, file.invoke.kwargs],
        allow_header: file.config.task_allow_error_cb_on_chord_header,
      });
    });
  });

  it('builds random canvases exactly like our Celery JSON (property)', () => {
    const files = fc.sample(arbCanvasFile({ maxDepth: 3 }), { numRuns: 40, seed: 4242 });
    const loaded = exportAndLoad(files);
    files.forEach((file, i) => {
      expect(loaded[i]?.canvas).toEqual(expectedJson(toCeleryJson(file).json));
    });
  });

  it('builds a canvas nested 200 deep exactly like our Celery JSON (hoisted sub-canvases)', () => {
    // Chains, groups, chords, callbacks and errbacks nested 200 levels, built as Canvas JSON through the
    // gate. Inline, the module would nest ~400 brackets (Python refuses 200) and indent every level.
    let inner: unknown = { task: 'add', args: [0, 0] };
    for (let d = 1; d <= 200; d++) {
      const step = { task: 'add', args: [d, 1], ...(d % 7 === 0 ? { id: `label-${d}` } : {}) };
      if (d % 3 === 0) inner = { chain: [step, { group: [inner, { task: 'mul', args: [d, 2] }] }] };
      else if (d % 3 === 1)
        inner = {
          chord: { header: [step, inner], body: { task: 'tsum', link: [{ task: 'record', args: [d] }] } },
        };
      else inner = { group: [{ ...step, link_error: [{ task: 'on_error' }] }, inner] };
    }
    expect(exportDeepAndCompare(inner)).toMatch(/^s1 = /m);
  });

  it('writes argument values nested 300 deep through json.loads, and Celery gets them unchanged', () => {
    // Python's parser refuses ~200 nested brackets: values deeper than MAX_LITERAL_DEPTH are JSON text.
    let list: unknown = [
      'leaf \u2028 "quoted" \\ ☃ "); __import__("os").system("echo pwned") #',
      1.5,
      -0,
      1e21,
      null,
      true,
    ];
    let dict: unknown = { end: [1, 2] };
    for (let d = 0; d < 300; d++) {
      list = [list, d];
      dict = { [`k${d} "odd"`]: dict };
    }
    const shallow = [[[['a'], { b: [1] }]]];
    const canvas = {
      chain: [
        { task: 'identity', args: [list] },
        { task: 'record', args: [shallow], kwargs: { deep: dict, level: 3 } },
      ],
    };
    const text = exportDeepAndCompare(canvas);
    expect(text.match(/json\.loads\(/g)).toHaveLength(2);
    // A shallow value stays a literal.
    expect(text).toContain('[[[["a"], {"b": [1]}]]]');
  });

  it('puts the catalogue retry policy on the task decorators', () => {
    const text = toPythonModule(example('tutorial.json'), createCatalogue());
    expect(text).toContain(
      '@app.task(name="TASK_A", base=ChordflowTask, bind=True, max_retries=3, autoretry_for=(RequestException, SoftTimeLimitExceeded,), retry_backoff=2, retry_backoff_max=30, retry_jitter=False, soft_time_limit=6)',
    );
    expect(text).toContain(
      '@app.task(name="TASK_C", base=ChordflowTask, bind=True, max_retries=3, autoretry_for=(RequestException,), retry_backoff=2, retry_backoff_max=15, retry_jitter=True)',
    );
  });

  it('writes real bodies for built-in and tutorial tasks and a stub for user tasks', () => {
    const text = toPythonModule(
      canvasFile(
        chain(
          task('add', [1, 2]),
          task('add_replaced', [3]),
          task('proj.user', [], { options: { countdown: 2 } }),
        ),
      ),
      createCatalogue(),
    );
    expect(text).toMatch(/def add\(x, y\):\n {4}""".*"""\n {4}return x \+ y\n/);
    expect(text).toContain('raise self.replace(add.s(x, y))');
    expect(text).toContain(`raise NotImplementedError("proj.user: put the task's code here")`);
    expect(text).toContain('.set(chordflow_retry_countdown=2)');
    const tutorial = toPythonModule(example('tutorial.json'), createCatalogue());
    expect(tutorial).toContain('raise self.retry(exc=exc, countdown=3)');
    expect(tutorial).toContain("f'task_a_{self.request.id}'");
  });

  it('built-in bodies compute what the simulator computes', () => {
    const calls: Array<[string, Json[]]> = [
      ['identity', [{ a: 1 }]],
      ['add', ['ab', 'c']],
      ['mul', [6, 7]],
      ['tsum', [[1, 2, 3]]],
      ['xsum', [[1, [2, 3], 4]]],
      ['add_to_all', [[1, 2], 10]],
      ['delayed', [5, 1]],
      ['record', [42, 't']],
    ];
    const files = calls.map(([name, args]) => canvasFile(task(name, args)));
    const path = join(dir, 'bodies.py');
    writeFileSync(path, toPythonModule(canvasFile(chain(...files.map((f) => f.canvas))), createCatalogue()));
    const script = [
      'import importlib.util, json',
      `spec = importlib.util.spec_from_file_location('bodies', ${JSON.stringify(path)})`,
      'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
      `calls = json.loads(${JSON.stringify(JSON.stringify(calls))})`,
      'print(json.dumps([getattr(m, name)(*args) for name, args in calls]))',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(r.stderr).not.toMatch(/Traceback/);
    const real = JSON.parse(r.stdout) as Json[];
    expect(real).toEqual(files.map((f) => simulate(f, { catalogue: createCatalogue() }).report.result));
  });
});
