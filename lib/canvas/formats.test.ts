import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCanvasFile, arbCanvasNode } from './arbitraries';
import { canvasFile, chain, group, shapeOf, task } from './build';
import { canvasFileFromJson, toCanvasJson } from './canvasJson';
import { canvasFileFromCeleryJson, toCeleryJson, toCeleryTree } from './celeryJson';
import { detectFormat, readAnyFormat, writeFormat } from './detect';
import { parseDirectorYaml, toDirectorYaml } from './directorYaml';
import { createNativeDocument, migrate, nativeDocumentFromJson, toNativeJson } from './nativeDocument';
import { composeCanvas, normalizeCanvas } from './normalize';

const NOW = '2026-11-28T01:00:00.000Z';

describe('Celery signature JSON', () => {
  test.prop([arbCanvasNode()], { numRuns: 200 })('reads back exactly the Celery tree it wrote', (canvas) => {
    const file = canvasFile(canvas);
    const { json } = toCeleryJson(file);
    const back = canvasFileFromCeleryJson(JSON.parse(JSON.stringify(json)));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.canvas).toEqual(toCeleryTree(file));
    expect(toCeleryJson(back.value).json).toEqual(json);
    expect(normalizeCanvas(back.value.canvas)).toEqual(normalizeCanvas(toCeleryTree(file)));
  });

  it('warns that invoke and config are not part of a signature', () => {
    const file = {
      ...canvasFile(task('add', [1]), { args: [2] }),
      config: { task_allow_error_cb_on_chord_header: true },
    };
    expect(toCeleryJson(file).warnings.map((w) => w.path)).toEqual(['invoke', 'config']);
  });

  it('rejects signature types it cannot model and keeps going with warnings for unknown options', () => {
    const bad = canvasFileFromCeleryJson({
      task: 'celery.chunks',
      subtask_type: 'chunks',
      args: [],
      kwargs: {},
      options: {},
    });
    expect(bad.ok).toBe(false);
    const warned = canvasFileFromCeleryJson({
      task: 'add',
      args: [1],
      kwargs: {},
      options: { retry_policy: { max_retries: 1 }, task_id: 'x1' },
      subtask_type: null,
      immutable: true,
    });
    expect(warned.ok && warned.value.canvas).toMatchObject({ task: 'add', id: 'x1', immutable: true });
    expect(warned.ok && warned.warnings?.[0]?.message).toMatch(/"retry_policy".*publish/);
  });
});

describe('native document', () => {
  test.prop([arbCanvasFile(), fc.dictionary(fc.string(), fc.record({ x: fc.integer(), y: fc.integer() }))], {
    numRuns: 100,
  })('round-trips canvas, layout and metadata', (file, positions) => {
    const doc = createNativeDocument(file, { name: 'n', description: 'd', now: NOW }, { positions });
    const back = nativeDocumentFromJson(JSON.parse(JSON.stringify(toNativeJson(doc))));
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.value).toEqual(doc);
  });

  it('refuses newer versions and non-documents with sentences', () => {
    const newer = migrate({ format: 'chordflow', version: 3 });
    expect(!newer.ok && newer.problems[0]?.message).toMatch(/newer than this Chordflow reads/);
    expect(migrate({ version: 1 }).ok).toBe(false);
    const bad = nativeDocumentFromJson({
      format: 'chordflow',
      version: 1,
      canvas: { task: 'a' },
      metadata: { name: 3 },
    });
    expect(!bad.ok && bad.problems.map((p) => p.path)).toContain('metadata.name');
  });

  it('version 2 carries the pipeline input; a version 1 document is upgraded without one', () => {
    const v1 = {
      format: 'chordflow',
      version: 1,
      canvas: { task: 'TASK_A', args: [null], kwargs: { payload: { raw: 'x' } } },
      metadata: { name: 'old', description: '', created: NOW, updated: NOW },
    };
    const up = nativeDocumentFromJson(v1);
    expect(up.ok && up.value.version).toBe(2);
    expect(up.ok && up.value.payload).toBeUndefined();
    expect(up.ok && up.value.file.canvas).toMatchObject({ kwargs: { payload: { raw: 'x' } } });
    const file = canvasFileFromJson({ task: 'TASK_A', args: [null] });
    if (!file.ok) throw new Error('fixture');
    const doc = createNativeDocument(file.value, { now: NOW, payload: { raw: 'hi', scenario: 'flaky' } });
    const json = toNativeJson(doc);
    expect(json.version).toBe(2);
    expect(json.payload).toEqual({ raw: 'hi', scenario: 'flaky' });
    const back = nativeDocumentFromJson(JSON.parse(JSON.stringify(json)));
    expect(back.ok && back.value).toEqual(doc);
    const bad = nativeDocumentFromJson({ ...json, payload: [1] });
    expect(!bad.ok && bad.problems[0]?.message).toBe(
      '"payload" (the pipeline input) must be a JSON object, not a list.',
    );
  });
});

const SEED_YAML = `demo.PIPELINE:
  tasks:
    - TASK_A
    - PARALLEL_BC:
        type: group
        tasks:
          - TASK_B
          - TASK_C
    - TASK_D
  hooks:
    failure: ON_FAILURE
  queue: q1
`;

describe('celery-director workflows.yml', () => {
  it('imports the seed workflow as a chain with a group, keeping hooks and queue as metadata', () => {
    const r = parseDirectorYaml(SEED_YAML);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(shapeOf(r.value.file.canvas)).toBe('chain(TASK_A, group(TASK_B, TASK_C), TASK_D)');
    expect(shapeOf(normalizeCanvas(r.value.file.canvas))).toBe(
      'chain(TASK_A, chord([TASK_B, TASK_C], TASK_D))',
    );
    expect(r.value.director).toEqual({
      workflow: 'demo.PIPELINE',
      groups: ['PARALLEL_BC'],
      hooks: { failure: 'ON_FAILURE' },
      queue: 'q1',
    });
    const back = toDirectorYaml(r.value.file, r.value.director);
    expect(back.ok && back.value).toBe(SEED_YAML);
  });

  it('explains what YAML cannot express', () => {
    const nested = toDirectorYaml(
      canvasFile(chain(task('a', [null]), group(task('b'), chain(task('c'), task('d'))))),
    );
    expect(!nested.ok && nested.problems[0]?.message).toMatch(/plain task names.*chain/);
    const withArgs = toDirectorYaml(canvasFile(chain(task('add', [1, 2]), task('add', [3]))));
    expect(!withArgs.ok && withArgs.problems.map((p) => p.message).join(' ')).toMatch(/its own arguments/);
  });

  it('reports YAML syntax errors with line and column', () => {
    const r = parseDirectorYaml('demo.X:\n  tasks: [a, b\n');
    expect(!r.ok && r.problems[0]?.message).toMatch(/not valid YAML at line \d+, column \d+/);
  });

  const arbDirectorCanvas = fc
    .array(
      fc.oneof(
        fc.constantFrom('A', 'B', 'C'),
        fc.array(fc.constantFrom('A', 'B', 'C', 'D'), { minLength: 2, maxLength: 3 }),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((items) => {
      const t = (name: string, first: boolean) =>
        task(name, first ? [null] : [], { kwargs: { payload: { raw: 'x' } } });
      return canvasFile(
        chain(
          ...items.map((it, i) =>
            typeof it === 'string' ? t(it, i === 0) : group(...it.map((n) => t(n, i === 0))),
          ),
        ),
      );
    });
  test.prop([arbDirectorCanvas], { numRuns: 100 })('round-trips every expressible workflow', (file) => {
    const yaml = toDirectorYaml(file);
    expect(yaml.ok).toBe(true);
    if (!yaml.ok) return;
    const back = parseDirectorYaml(yaml.value);
    expect(back.ok).toBe(true);
    if (back.ok) expect(normalizeCanvas(back.value.file.canvas)).toEqual(normalizeCanvas(file.canvas));
  });
});

describe('detect / readAnyFormat / writeFormat', () => {
  const file = canvasFile(
    chain(
      task('TASK_A', [null], { kwargs: { payload: { raw: 'x' } } }),
      group(
        task('TASK_B', [], { kwargs: { payload: { raw: 'x' } } }),
        task('TASK_C', [], { kwargs: { payload: { raw: 'x' } } }),
      ),
      task('TASK_D', [], { kwargs: { payload: { raw: 'x' } } }),
    ),
  );

  it('detects each format it writes', () => {
    for (const format of ['native', 'canvas-json', 'celery-json', 'director-yaml', 'python'] as const) {
      const text = writeFormat(file, format, { now: NOW });
      expect(text.ok).toBe(true);
      if (text.ok) expect(detectFormat(text.value)).toBe(format);
    }
    expect(detectFormat('   ')).toBeNull();
  });

  it('reads every readable format back to the same normalized canvas', () => {
    for (const format of ['native', 'canvas-json', 'celery-json', 'director-yaml'] as const) {
      const text = writeFormat(file, format, { now: NOW });
      if (!text.ok) throw new Error(format);
      const back = readAnyFormat(text.value);
      expect(back.ok && back.value.format).toBe(format);
      if (back.ok) expect(normalizeCanvas(back.value.file.canvas)).toEqual(normalizeCanvas(file.canvas));
    }
  });

  test.prop([arbCanvasFile()], { numRuns: 60 })(
    'native and canvas-json are lossless, celery-json keeps the Celery tree',
    (f) => {
      for (const format of ['native', 'canvas-json'] as const) {
        const text = writeFormat(f, format, { now: NOW });
        const back = text.ok ? readAnyFormat(text.value) : null;
        expect(back?.ok && back.value.file).toEqual(f);
      }
      const celery = writeFormat(f, 'celery-json');
      const back = celery.ok ? readAnyFormat(celery.value) : null;
      expect(back?.ok && composeCanvas(back.value.file.canvas)).toEqual(toCeleryTree(f));
    },
  );

  it('says that Python cannot be read back', () => {
    const py = writeFormat(file, 'python');
    const r = py.ok ? readAnyFormat(py.value) : null;
    expect(r && !r.ok && r.problems[0]?.message).toMatch(/cannot read it back/);
  });

  it('Canvas JSON of a Celery-imported canvas re-reads to the same Celery tree', () => {
    const celery = toCeleryJson(file).json;
    const imported = canvasFileFromCeleryJson(celery);
    if (!imported.ok) throw new Error('import failed');
    const again = canvasFileFromJson(JSON.parse(JSON.stringify(toCanvasJson(imported.value))));
    expect(again.ok && toCeleryJson(again.value).json).toEqual(celery);
  });
});

describe('Celery JSON details', () => {
  it('reads an immutable chain (a group callback copy) as a chain whose first step is immutable', () => {
    const sig = (name: string, immutable = false) => ({
      task: name,
      args: [],
      kwargs: {},
      options: {},
      subtask_type: null,
      immutable,
    });
    const r = canvasFileFromCeleryJson({
      task: 'celery.chain',
      args: [],
      kwargs: { tasks: [sig('a'), sig('b')] },
      options: {},
      subtask_type: 'chain',
      immutable: true,
    });
    expect(
      r.ok &&
        r.value.canvas.type === 'chain' &&
        r.value.canvas.tasks.map((t) => t.type === 'task' && t.immutable),
    ).toEqual([true, false]);
  });
});
