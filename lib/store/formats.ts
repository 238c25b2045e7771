/**
 * Import and export for the editor, through the canvas library's one entry point (`readAnyFormat`,
 * `writeFormat`): every format of SPEC 1.1. Reading never throws: it returns the canvas file or the
 * problems, and the caller changes nothing on problems.
 */
import type { TaskCatalogue } from '../canvas/catalogue';
import { type CanvasFormat, readAnyFormat, writeFormat } from '../canvas/detect';
import type { CanvasFile } from '../canvas/model';
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
}

/** Reads any supported format (auto-detected). */
export function readCanvasText(text: string): ParseResult<ImportedCanvas> {
  const r = readAnyFormat(text);
  return r.ok ? ok({ file: r.value.file }, r.warnings ?? []) : fail(r.problems);
}

/** Writes a canvas file (without editor uids) in a format; a canvas a format cannot hold is explained in comments. */
export function writeCanvasText(
  file: CanvasFile,
  format: ExportFormat,
  extra: { name?: string; now?: string; catalogue?: TaskCatalogue } = {},
): string {
  const opts = {
    ...(extra.name !== undefined ? { name: extra.name } : {}),
    ...(extra.now !== undefined ? { now: extra.now } : {}),
    ...(extra.catalogue !== undefined ? { catalogue: extra.catalogue } : {}),
  };
  const r = writeFormat(file, format, opts);
  if (r.ok) return r.value;
  const comment = format === 'python' || format === 'director-yaml' ? '#' : '//';
  return `${comment} This canvas cannot be written in this format:\n${r.problems.map((p) => `${comment} - ${p.message}`).join('\n')}\n`;
}
