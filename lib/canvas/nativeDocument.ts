/**
 * The native Chordflow document: the canvas file plus editor layout and metadata, versioned.
 *
 * ```
 * { "format": "chordflow", "version": 2,
 *   "canvas": NODE, "invoke"?: {...}, "config"?: {...},          // Canvas JSON (SPEC 2.1)
 *   "payload"?: {...},                                             // the pipeline input (version 2)
 *   "layout": { "positions": { "<node path or node key>": {"x": n, "y": n} }, "viewport"?: {x, y, zoom} },
 *   "metadata": { "name", "description", "created", "updated", "director"? } }
 * ```
 * `payload` is the pipeline's input as celery-director passes it: every task that takes a `payload`
 * parameter receives it in its kwargs when the canvas is simulated or run (`invoke` stays the first
 * step's call-time args/kwargs). Version 1 had no input; reading runs `migrate()` first, so older
 * versions are upgraded before validation.
 */
import { z } from 'zod';
import { canvasFileFromJson, toCanvasJson } from './canvasJson';
import type { CanvasFile, Json, JsonObject } from './model';
import { kindOf, parseLeaf } from './optionsSchema';
import { error, fail, ok, type ParseResult, type Problem } from './problems';

export const NATIVE_FORMAT = 'chordflow';
export const NATIVE_VERSION = 2;

export interface Position {
  x: number;
  y: number;
}

export interface Layout {
  /** Node positions keyed by node path (`canvas.tasks[1]`) or by the editor's node key. */
  positions: Record<string, Position>;
  viewport?: { x: number; y: number; zoom: number };
}

/** What a celery-director `workflows.yml` workflow carries besides its tasks (kept for export). */
export interface DirectorMeta {
  /** `project.NAME`. */
  workflow: string;
  /** Names of the workflow's groups, in order of appearance. */
  groups?: string[];
  hooks?: { success?: string; failure?: string };
  queue?: Json;
  periodic?: Json;
  schema?: string;
  retention?: Json;
}

export interface DocumentMetadata {
  name: string;
  description: string;
  /** ISO 8601 timestamps. */
  created: string;
  updated: string;
  director?: DirectorMeta;
}

export interface NativeDocument {
  format: typeof NATIVE_FORMAT;
  version: typeof NATIVE_VERSION;
  file: CanvasFile;
  /** The pipeline input: given to every task that takes `payload` (version 2). */
  payload?: JsonObject;
  layout: Layout;
  metadata: DocumentMetadata;
}

const positionSchema = z.strictObject({ x: z.number(), y: z.number() });
// Positions are keyed by node paths/keys chosen by users' documents: checked entry by entry below, since
// z.record assigns keys and would turn a key like "__proto__" into a prototype change.
const positionsSchema = z.custom<Record<string, Position>>(
  (value) => isObject(value) && Object.values(value).every((p) => positionSchema.safeParse(p).success),
  { message: 'positions must map node keys to {x, y} numbers' },
);
const layoutSchema = z.strictObject({
  positions: positionsSchema,
  viewport: z.strictObject({ x: z.number(), y: z.number(), zoom: z.number() }).optional(),
});
const directorSchema = z.strictObject({
  workflow: z.string(),
  groups: z.array(z.string()).optional(),
  hooks: z.strictObject({ success: z.string().optional(), failure: z.string().optional() }).optional(),
  queue: z.json().optional(),
  periodic: z.json().optional(),
  schema: z.string().optional(),
  retention: z.json().optional(),
});
const metadataSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  created: z.string(),
  updated: z.string(),
  director: directorSchema.optional(),
});

/**
 * Upgrades from version N to N+1, by N. 1 → 2: version 2 adds the optional pipeline input (`payload`);
 * a version 1 document has none, so it keeps its tasks' own kwargs unchanged.
 */
const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
  1: (doc) => ({ ...doc, version: 2 }),
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when `value` is (any version of) a native document. */
export function isNativeDocument(value: unknown): boolean {
  return isObject(value) && value.format === NATIVE_FORMAT;
}

/**
 * Brings a parsed native document of any known version to the current version (`NATIVE_VERSION`),
 * step by step. Refuses documents from a newer Chordflow.
 */
export function migrate(value: unknown): ParseResult<Record<string, unknown>> {
  if (!isObject(value) || value.format !== NATIVE_FORMAT) {
    return fail([error('format', 'This is not a Chordflow document: "format" must be "chordflow".')]);
  }
  let doc = value;
  let version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return fail([error('version', `"version" must be a whole number ≥ 1, not ${kindOf(version)}.`)]);
  }
  if (version > NATIVE_VERSION) {
    return fail([
      error(
        'version',
        `This document is version ${version}, newer than this Chordflow reads (${NATIVE_VERSION}). Update Chordflow.`,
      ),
    ]);
  }
  while (version < NATIVE_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) return fail([error('version', `No migration from version ${version} is known.`)]);
    doc = step(doc);
    version += 1;
  }
  return ok({ ...doc, version });
}

/** Reads a parsed native document (migrating older versions). */
export function nativeDocumentFromJson(value: unknown): ParseResult<NativeDocument> {
  const migrated = migrate(value);
  if (!migrated.ok) return migrated;
  const doc = migrated.value;
  const problems: Problem[] = [];
  for (const key of Object.keys(doc)) {
    if (!['format', 'version', 'canvas', 'invoke', 'config', 'payload', 'layout', 'metadata'].includes(key)) {
      problems.push(error(key, `Unknown field "${key}" in a Chordflow document.`));
    }
  }
  const wrapper: Record<string, unknown> = { canvas: doc.canvas };
  if (doc.invoke !== undefined) wrapper.invoke = doc.invoke;
  if (doc.config !== undefined) wrapper.config = doc.config;
  const file = canvasFileFromJson(wrapper);
  if (!file.ok) problems.push(...file.problems);
  const layout = parseLeaf(layoutSchema, doc.layout ?? { positions: {} }, 'layout', 'layout');
  if (!layout.ok) problems.push(...layout.problems);
  const metadata = parseLeaf(metadataSchema, doc.metadata, 'metadata', 'metadata');
  if (!metadata.ok) problems.push(...metadata.problems);
  const payload = doc.payload;
  if (payload !== undefined && !isObject(payload))
    problems.push(
      error('payload', `"payload" (the pipeline input) must be a JSON object, not ${kindOf(payload)}.`),
    );
  if (problems.length > 0 || !file.ok || !layout.ok || !metadata.ok) return fail(problems);
  return ok({
    format: NATIVE_FORMAT,
    version: NATIVE_VERSION,
    file: file.value,
    ...(isObject(payload) ? { payload: stripUndefined(payload) as JsonObject } : {}),
    layout: stripUndefined(layout.value) as Layout,
    metadata: stripUndefined(metadata.value) as DocumentMetadata,
  });
}

function stripUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripUndefined);
  if (!isObject(value)) return value;
  // fromEntries defines own properties, so a key such as "__proto__" stays data.
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, stripUndefined(v)]),
  );
}

/** Writes a native document as JSON (canvas in compact Canvas JSON). */
export function toNativeJson(doc: NativeDocument): JsonObject {
  const canvasJson = toCanvasJson(doc.file);
  const file: JsonObject =
    isObject(canvasJson) && 'canvas' in canvasJson ? (canvasJson as JsonObject) : { canvas: canvasJson };
  return {
    format: NATIVE_FORMAT,
    version: NATIVE_VERSION,
    ...file,
    ...(doc.payload !== undefined ? { payload: doc.payload } : {}),
    layout: doc.layout as unknown as JsonObject,
    metadata: doc.metadata as unknown as JsonObject,
  };
}

/** A new document for `file`; `now` is injected (ISO 8601), `lib/` never reads the clock. */
export function createNativeDocument(
  file: CanvasFile,
  meta: { name?: string; description?: string; now: string; director?: DirectorMeta; payload?: JsonObject },
  layout: Layout = { positions: {} },
): NativeDocument {
  const metadata: DocumentMetadata = {
    name: meta.name ?? 'Untitled canvas',
    description: meta.description ?? '',
    created: meta.now,
    updated: meta.now,
  };
  if (meta.director) metadata.director = meta.director;
  return {
    format: NATIVE_FORMAT,
    version: NATIVE_VERSION,
    file,
    ...(meta.payload !== undefined ? { payload: meta.payload } : {}),
    layout,
    metadata,
  };
}
