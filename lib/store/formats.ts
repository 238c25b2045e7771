/**
 * Import and export for the editor: every format of SPEC 1.1 the canvas library reads or writes.
 * Reading never throws: it returns the canvas file (and positions for native documents) or the
 * problems, and the caller changes nothing on problems.
 */
import { parseCanvasJson, toCanvasJson } from '../canvas/canvasJson';
import { looksLikeCelerySignature, parseCeleryJson, toCeleryJson } from '../canvas/celeryJson';
import {
  looksLikeDirectorWorkflows,
  parseDirectorYaml,
  parseYamlText,
  toDirectorYaml,
} from '../canvas/directorYaml';
import type { CanvasFile } from '../canvas/model';
import {
  createNativeDocument,
  isNativeDocument,
  nativeDocumentFromJson,
  toNativeJson,
} from '../canvas/nativeDocument';
import { error, fail, ok, type ParseResult } from '../canvas/problems';

export type ExportFormat = 'native' | 'canvas-json' | 'celery-json' | 'director-yaml' | 'python';

export const EXPORT_FORMATS: ReadonlyArray<{ id: ExportFormat; label: string; extension: string }> = [
  { id: 'canvas-json', label: 'Canvas JSON', extension: 'canvas.json' },
  { id: 'celery-json', label: 'Celery signature JSON', extension: 'celery.json' },
  { id: 'director-yaml', label: 'celery-director workflows.yml', extension: 'yml' },
  { id: 'native', label: 'Chordflow document', extension: 'chordflow.json' },
];

export interface ImportedCanvas {
  file: CanvasFile;
  /** Positions from a native document's layout, when keyed by editor id. */
  positions?: Record<string, { x: number; y: number }>;
}

/** Reads any supported format (auto-detected). */
export function readCanvasText(text: string): ParseResult<ImportedCanvas> {
  const trimmed = text.trim();
  if (trimmed === '') return fail([error('', 'The text is empty: paste or write a canvas.')]);
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed) as unknown;
    } catch {
      return wrap(parseCanvasJson(trimmed));
    }
    if (isNativeDocument(value)) {
      const r = nativeDocumentFromJson(value);
      return r.ok ? ok({ file: r.value.file, positions: r.value.layout.positions }) : r;
    }
    if (looksLikeCelerySignature(value)) return wrap(parseCeleryJson(trimmed));
    return wrap(parseCanvasJson(trimmed));
  }
  const yaml = parseYamlText(trimmed);
  if (yaml.ok && looksLikeDirectorWorkflows(yaml.value)) {
    const r = parseDirectorYaml(trimmed);
    return r.ok ? ok({ file: r.value.file }) : r;
  }
  return fail([
    error(
      '',
      'This is not a canvas: expected Canvas JSON, Celery signature JSON, a Chordflow document or a celery-director workflows.yml.',
    ),
  ]);
}

function wrap(r: ParseResult<CanvasFile>): ParseResult<ImportedCanvas> {
  return r.ok ? ok({ file: r.value }, r.warnings ?? []) : r;
}

/** Writes a canvas file (without editor uids) in a format; `now` (ISO) stamps native documents. */
export function writeCanvasText(
  file: CanvasFile,
  format: ExportFormat,
  extra: { name?: string; now?: string; positions?: Record<string, { x: number; y: number }> } = {},
): string {
  switch (format) {
    case 'celery-json':
      return `${JSON.stringify(toCeleryJson(file).json, null, 2)}\n`;
    case 'director-yaml': {
      const r = toDirectorYaml(file);
      return r.ok
        ? r.value
        : `# This canvas cannot be written as a celery-director workflow:\n${r.problems.map((p) => `# - ${p.message}`).join('\n')}\n`;
    }
    case 'native': {
      const doc = createNativeDocument(
        file,
        { name: extra.name ?? 'Untitled canvas', now: extra.now ?? '1970-01-01T00:00:00.000Z' },
        { positions: extra.positions ?? {} },
      );
      return `${JSON.stringify(toNativeJson(doc), null, 2)}\n`;
    }
    case 'python':
    case 'canvas-json':
      return `${JSON.stringify(toCanvasJson(file), null, 2)}\n`;
  }
}
