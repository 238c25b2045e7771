/**
 * Format auto-detection and the one entry point that reads or writes any format of SPEC 1.1.
 *
 * Detection: text starting with `{`/`[` is JSON — a `"format": "chordflow"` object is the native
 * document, an object with `task` + `subtask_type` is Celery signature JSON, anything else Canvas JSON;
 * Python source (`from celery import` / `import celery`) is recognised but cannot be read back; other
 * text is YAML (celery-director `workflows.yml`).
 */

import { canvasFileFromJson, parseJsonText, toCanvasJson } from './canvasJson';
import { type CatalogueEntry, createCatalogue, type TaskCatalogue } from './catalogue';
import { canvasFileFromCeleryJson, looksLikeCelerySignature, toCeleryJson } from './celeryJson';
import {
  canvasFileFromDirector,
  looksLikeDirectorWorkflows,
  parseYamlText,
  toDirectorYaml,
} from './directorYaml';
import { API_LIMITS, type CanvasLimits, CLI_LIMITS, checkCanvasFile, checkRawValue } from './gate';
import { formatJson } from './jsonFormat';
import type { CanvasFile, JsonObject } from './model';
import {
  createNativeDocument,
  type DirectorMeta,
  isNativeDocument,
  type NativeDocument,
  nativeDocumentFromJson,
  toNativeJson,
} from './nativeDocument';
import { composeCanvas } from './normalize';
import { error, fail, ok, type ParseResult } from './problems';
import { toPythonModule } from './pythonExport';

export type CanvasFormat = 'native' | 'canvas-json' | 'celery-json' | 'director-yaml' | 'python';
export const FORMATS: readonly CanvasFormat[] = [
  'native',
  'canvas-json',
  'celery-json',
  'director-yaml',
  'python',
];

export interface ReadResult {
  format: CanvasFormat;
  file: CanvasFile;
  /** The native document when the input was one, or when the input carried metadata (director). */
  document?: NativeDocument;
}

function looksLikePython(text: string): boolean {
  return /^\s*(from\s+celery\s+import|import\s+celery)\b/m.test(text) && /^\s*(def|canvas\s*=)/m.test(text);
}

/** The format of `text`, or `null` when it is empty. Never fails: unknown text is treated as YAML. */
export function detectFormat(text: string): CanvasFormat | null {
  const trimmed = text.trimStart();
  if (trimmed === '') return null;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const parsed = parseJsonText(text);
    if (parsed.ok) {
      if (isNativeDocument(parsed.value)) return 'native';
      if (looksLikeCelerySignature(parsed.value)) return 'celery-json';
    }
    return 'canvas-json';
  }
  if (looksLikePython(text)) return 'python';
  return 'director-yaml';
}

/**
 * Reads `text` in whatever format it is. Warnings (e.g. Celery options not kept) come back in
 * `warnings` of a successful result. The `now` timestamp fills metadata of documents made from YAML.
 */
export function readAnyFormat(
  text: string,
  opts: { now?: string; workflow?: string; limits?: CanvasLimits } = {},
): ParseResult<ReadResult> {
  const read = readFormat(text, opts);
  if (!read.ok) return read;
  // The gate's second half: depth, size, names and numbers of what was read (any format).
  const problems = checkCanvasFile(read.value.file, opts.limits ?? API_LIMITS);
  return problems.length > 0 ? fail([...problems, ...(read.warnings ?? [])]) : read;
}

function readFormat(
  text: string,
  opts: { now?: string; workflow?: string; limits?: CanvasLimits },
): ParseResult<ReadResult> {
  const limits = opts.limits ?? API_LIMITS;
  const format = detectFormat(text);
  if (format === null)
    return fail([
      error(
        '',
        'The file is empty: give a canvas (Canvas JSON, native document, Celery JSON or workflows.yml).',
      ),
    ]);
  if (format === 'python') {
    return fail([
      error(
        '',
        'This is Python source: Chordflow writes Python but cannot read it back. Print json.dumps(canvas) and read that instead.',
      ),
    ]);
  }
  if (format === 'director-yaml') {
    const yaml = parseYamlText(text);
    if (!yaml.ok) return yaml;
    const raw = checkRawValue(yaml.value, limits);
    if (raw.length > 0) return fail(raw);
    if (!looksLikeDirectorWorkflows(yaml.value)) {
      return fail([
        error(
          '',
          'This file is neither JSON nor a celery-director workflows.yml (a "project.NAME" key with a "tasks" list). Check the format.',
        ),
      ]);
    }
    const r = canvasFileFromDirector(yaml.value, opts.workflow);
    if (!r.ok) return r;
    const document = createNativeDocument(r.value.file, {
      name: r.value.director.workflow,
      now: opts.now ?? '1970-01-01T00:00:00.000Z',
      director: r.value.director,
    });
    return ok({ format, file: r.value.file, document }, r.warnings ?? []);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  // The gate's first half, before any recursive reader: nesting and numbers of the raw value.
  const raw = checkRawValue(parsed.value, limits);
  if (raw.length > 0) return fail(raw);
  if (format === 'native') {
    const r = nativeDocumentFromJson(parsed.value);
    return r.ok ? ok({ format, file: r.value.file, document: r.value }) : r;
  }
  if (format === 'celery-json') {
    const r = canvasFileFromCeleryJson(parsed.value);
    return r.ok ? ok({ format, file: r.value }, r.warnings ?? []) : r;
  }
  const r = canvasFileFromJson(parsed.value);
  return r.ok ? ok({ format, file: r.value }) : r;
}

export interface WriteOptions {
  catalogue?: TaskCatalogue | readonly CatalogueEntry[];
  /** The source document (layout, metadata, director settings) to carry over. */
  document?: NativeDocument;
  /** ISO timestamp for new native documents. */
  now?: string;
  /** Native documents: the pipeline input to write (replaces the source document's). */
  payload?: JsonObject;
  name?: string;
  /**
   * Canvas JSON only: write the canvas as Celery builds it (every `chain` folded like
   * `celery.chain(*nodes)`, e.g. `{"chain": [group, group, task]}` → `chord(g1, chord(g2, task))`), as
   * `chordflow convert` does; the editor keeps the form as drawn (same meaning).
   */
  composed?: boolean;
  /** Depth and size the exporters accept (default: the CLI's). */
  limits?: CanvasLimits;
}

/** Text of `file` in `format` (JSON indented by 2, short lists and objects on one line, final newline). */
export function writeFormat(
  file: CanvasFile,
  format: CanvasFormat,
  opts: WriteOptions = {},
): ParseResult<string> {
  const json = (value: unknown) => formatJson(value);
  // Exporters write names as code and numbers as literals: refuse what they cannot carry safely.
  const problems = checkCanvasFile(file, opts.limits ?? CLI_LIMITS);
  if (problems.length > 0) return fail(problems);
  switch (format) {
    case 'canvas-json': {
      if (opts.composed !== true) return ok(json(toCanvasJson(file)));
      const config = { allowErrorCbOnChordHeader: file.config.task_allow_error_cb_on_chord_header };
      return ok(json(toCanvasJson({ ...file, canvas: composeCanvas(file.canvas, config) })));
    }
    case 'celery-json': {
      const r = toCeleryJson(file);
      return ok(json(r.json), r.warnings);
    }
    case 'native': {
      const base =
        opts.document ??
        createNativeDocument(file, {
          now: opts.now ?? '1970-01-01T00:00:00.000Z',
          ...(opts.name ? { name: opts.name } : {}),
        });
      const { payload: _old, ...rest } = base;
      const doc = opts.payload !== undefined ? { ...rest, payload: opts.payload } : base;
      return ok(json(toNativeJson({ ...doc, file })));
    }
    case 'director-yaml': {
      const director: DirectorMeta | undefined = opts.document?.metadata.director;
      return toDirectorYaml(file, director);
    }
    case 'python': {
      const catalogue =
        opts.catalogue === undefined
          ? createCatalogue()
          : Array.isArray(opts.catalogue)
            ? createCatalogue(opts.catalogue as readonly CatalogueEntry[])
            : (opts.catalogue as TaskCatalogue);
      const name = opts.name ?? opts.document?.metadata.name;
      return ok(toPythonModule(file, catalogue, name === undefined ? {} : { name }));
    }
  }
}

/** Parses a `--to` value. */
export function parseFormatName(name: string): CanvasFormat | null {
  return (FORMATS as readonly string[]).includes(name) ? (name as CanvasFormat) : null;
}
