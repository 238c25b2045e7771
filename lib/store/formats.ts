/**
 * Import and export for the editor, through the canvas library's one entry point (`readAnyFormat`,
 * `writeFormat`): every format of SPEC 1.1. Reading never throws: it returns the canvas file or the
 * problems, and the caller changes nothing on problems.
 */
import type { TaskCatalogue } from '../canvas/catalogue';
import { type CanvasFormat, readAnyFormat, writeFormat } from '../canvas/detect';
import type { CanvasFile, JsonObject } from '../canvas/model';
import { fail, ok, type ParseResult } from '../canvas/problems';

export type ExportFormat = CanvasFormat;

export const EXPORT_FORMATS: ReadonlyArray<{ id: ExportFormat; label: string; extension: string }> = [
  { id: 'canvas-json', label: 'Canvas JSON', extension: 'canvas.json' },
  { id: 'python', label: 'Python (Celery)', extension: 'py' },
  { id: 'celery-json', label: 'Celery signature JSON', extension: 'celery.json' },
  { id: 'director-yaml', label: 'celery-director workflows.yml', extension: 'yml' },
  { id: 'native', label: 'Chordflow document', extension: 'chordflow.json' },
];

/** Formats the code panel can edit (the others are export-only views). */
export const EDITABLE_FORMATS: ReadonlySet<ExportFormat> = new Set([
  'canvas-json',
  'celery-json',
  'director-yaml',
  'native',
]);

export interface ImportedCanvas {
  file: CanvasFile;
  /** The title the input carries: a document's name or a director workflow's `project.NAME`. */
  title?: string;
  /** The pipeline input a native document carries. */
  payload?: JsonObject;
}

/** Reads any supported format (auto-detected). */
export function readCanvasText(text: string): ParseResult<ImportedCanvas> {
  const r = readAnyFormat(text);
  if (!r.ok) return fail(r.problems);
  const meta = r.value.document?.metadata;
  const title = meta?.director?.workflow ?? (meta?.name === DEFAULT_NAME ? undefined : meta?.name);
  const payload = r.value.document?.payload;
  return ok(
    { file: r.value.file, ...(title ? { title } : {}), ...(payload ? { payload } : {}) },
    r.warnings ?? [],
  );
}

const DEFAULT_NAME = 'Untitled canvas';

/**
 * A document title from an imported file's name: `nightly-etl.canvas.json` → `nightly-etl`. Every
 * extension the exporter writes is stripped; what is left is kept as the user named it.
 */
export function titleFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const known = EXPORT_FORMATS.map((f) => `.${f.extension}`).concat(['.json', '.yaml', '.yml', '.txt']);
  let title = base;
  for (let again = true; again; ) {
    again = false;
    for (const ext of known)
      if (title.toLowerCase().endsWith(ext) && title.length > ext.length) {
        title = title.slice(0, -ext.length);
        again = true;
      }
  }
  return title.trim() || base;
}

/** Writes a canvas file (without editor uids) in a format; a canvas a format cannot hold is explained in comments. */
export function writeCanvasText(
  file: CanvasFile,
  format: ExportFormat,
  extra: { name?: string; now?: string; catalogue?: TaskCatalogue; payload?: JsonObject } = {},
): string {
  const opts = {
    ...(extra.payload !== undefined ? { payload: extra.payload } : {}),
    ...(extra.name !== undefined ? { name: extra.name } : {}),
    ...(extra.now !== undefined ? { now: extra.now } : {}),
    ...(extra.catalogue !== undefined ? { catalogue: extra.catalogue } : {}),
  };
  const r = writeFormat(file, format, opts);
  if (r.ok) return r.value;
  const comment = format === 'python' || format === 'director-yaml' ? '#' : '//';
  return `${comment} This canvas cannot be written in this format:\n${r.problems.map((p) => `${comment} - ${p.message}`).join('\n')}\n`;
}
