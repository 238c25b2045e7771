/**
 * Server definitions (REST `/api/definitions`, celery-director's `project.NAME` workflows) as a
 * `DocumentRepository`. `fetch` is injected (lib/ does no IO of its own). The API stores the canvas
 * (with its invoke args) and the pipeline input (`payload`); positions stay local, and it has no rename
 * or delete.
 */
import { canvasFileFromJson, toCanvasJson } from '../canvas/canvasJson';
import type { Json, JsonObject } from '../canvas/model';
import type { DocumentRepository, DocumentSummary, SavedDocument } from './documents';
import { stripUids } from './uids';

type Fetch = (
  input: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

interface DefinitionJson {
  fullname: string;
  canvas: Json;
  /** The pipeline input saved with the definition (the API's default payload). */
  payload?: Json;
  builtin?: boolean;
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function errorText(r: { status: number; json(): Promise<unknown> }): Promise<string> {
  try {
    const body = (await r.json()) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // fall through
  }
  return `The server answered ${r.status}.`;
}

/** A repository over `${base}/api/definitions`; names are `project.NAME`. */
export function createServerRepository(fetchFn: Fetch, base = ''): DocumentRepository {
  const list = async (): Promise<DefinitionJson[]> => {
    const r = await fetchFn(`${base}/api/definitions`);
    if (!r.ok) throw new Error(await errorText(r));
    const body = (await r.json()) as unknown;
    return Array.isArray(body) ? (body as DefinitionJson[]) : [];
  };
  return {
    async list(): Promise<DocumentSummary[]> {
      return (await list()).map((d) => ({ name: d.fullname, savedAt: 0 }));
    },
    async load(name: string): Promise<SavedDocument | null> {
      const d = (await list()).find((x) => x.fullname === name);
      if (d === undefined) return null;
      const parsed = canvasFileFromJson(d.canvas);
      if (!parsed.ok) return null;
      const f = parsed.value;
      return {
        name,
        savedAt: 0,
        doc: {
          canvas: f.canvas,
          invoke: f.invoke,
          config: f.config,
          positions: {},
          ...(isObject(d.payload) ? { payload: d.payload } : {}),
        },
      };
    },
    async save(doc: SavedDocument): Promise<void> {
      const m = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,64})$/.exec(doc.name);
      if (m === null)
        throw new Error(
          `"${doc.name}" is not a definition name: use project.NAME (letters, digits, _ or -).`,
        );
      if (doc.doc.canvas === null) throw new Error('The canvas is empty: there is nothing to save.');
      const canvas = toCanvasJson({
        canvas: stripUids(doc.doc.canvas),
        invoke: doc.doc.invoke,
        config: doc.doc.config,
      });
      const r = await fetchFn(`${base}/api/definitions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          project: m[1],
          name: m[2],
          canvas,
          ...(doc.doc.payload !== undefined ? { payload: doc.doc.payload } : {}),
        }),
      });
      if (!r.ok) throw new Error(await errorText(r));
    },
    async rename(): Promise<void> {
      throw new Error('Server definitions cannot be renamed: save under the new name instead.');
    },
    async remove(): Promise<void> {
      throw new Error('Server definitions cannot be deleted from the editor.');
    },
  };
}
