/**
 * The Python export runs under the real Celery (5.2 at /usr/bin/python3): each module is imported and
 * `json.dumps(canvas)` must equal `toCeleryJson` of the same canvas file; the module also keeps the
 * call-time arguments and the chord-header errback setting.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { arbCanvasFile } from '@/lib/canvas/arbitraries';
import { canvasFile, task } from '@/lib/canvas/build';
import { parseCanvasJson } from '@/lib/canvas/canvasJson';
import { createCatalogue } from '@/lib/canvas/catalogue';
import { toCeleryJson } from '@/lib/canvas/celeryJson';
import type { CanvasFile } from '@/lib/canvas/model';
import { toPythonModule } from '@/lib/canvas/pythonExport';
import { runPython } from './python';

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

function example(name: string): CanvasFile {
  const r = parseCanvasJson(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.problems)}`);
  return r.value;
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
    ];
    const loaded = exportAndLoad(files);
    files.forEach((file, i) => {
      expect(loaded[i]).toEqual({
        canvas: toCeleryJson(file).json,
        invoke: [file.invoke.args, file.invoke.kwargs],
        allow_header: file.config.task_allow_error_cb_on_chord_header,
      });
    });
  });

  it('builds random canvases exactly like our Celery JSON (property)', () => {
    const files = fc.sample(arbCanvasFile({ maxDepth: 3 }), { numRuns: 40, seed: 4242 });
    const loaded = exportAndLoad(files);
    files.forEach((file, i) => {
      expect(loaded[i]?.canvas).toEqual(toCeleryJson(file).json);
    });
  });

  it('puts the catalogue retry policy on the task decorators', () => {
    const text = toPythonModule(example('tutorial.json'), createCatalogue());
    expect(text).toContain(
      '@app.task(name="TASK_A", max_retries=3, autoretry_for=(RequestException, SoftTimeLimitExceeded,), retry_backoff=2, retry_backoff_max=30, retry_jitter=False, soft_time_limit=6)',
    );
    expect(text).toContain(
      '@app.task(name="TASK_C", max_retries=3, autoretry_for=(RequestException,), retry_backoff=2, retry_backoff_max=15, retry_jitter=True)',
    );
  });
});
