/**
 * Named documents. `DocumentRepository` is the seam: the browser uses `createLocalRepository` over
 * localStorage; a server repository (REST `/api/definitions`) implements the same four methods.
 */
import type { DocSlice } from './types';

export interface SavedDocument {
  name: string;
  /** Milliseconds since the epoch, supplied by the caller (lib/ reads no clock). */
  savedAt: number;
  doc: DocSlice;
}

export interface DocumentSummary {
  name: string;
  savedAt: number;
}

export interface DocumentRepository {
  list(): Promise<DocumentSummary[]>;
  load(name: string): Promise<SavedDocument | null>;
  save(doc: SavedDocument): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(name: string): Promise<void>;
}

/** The part of `Storage` the repository needs (so tests pass a Map-backed fake). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const VERSION = 1;

/** Documents in a key-value storage under `prefix` (one key for the index, one per document). */
export function createLocalRepository(
  storage: KeyValueStorage,
  prefix = 'chordflow.docs',
): DocumentRepository {
  const indexKey = `${prefix}.index`;
  const docKey = (name: string) => `${prefix}.doc.${name}`;
  const readIndex = (): DocumentSummary[] => {
    try {
      const v = JSON.parse(storage.getItem(indexKey) ?? '[]') as unknown;
      return Array.isArray(v) ? (v as DocumentSummary[]) : [];
    } catch {
      return [];
    }
  };
  const writeIndex = (list: DocumentSummary[]) => storage.setItem(indexKey, JSON.stringify(list));
  return {
    async list() {
      return readIndex().sort((a, b) => b.savedAt - a.savedAt);
    },
    async load(name) {
      const raw = storage.getItem(docKey(name));
      if (raw === null) return null;
      try {
        const v = JSON.parse(raw) as { version?: number; name: string; savedAt: number; doc: DocSlice };
        if (v.version !== VERSION || typeof v.doc !== 'object') return null;
        return { name: v.name, savedAt: v.savedAt, doc: v.doc };
      } catch {
        return null;
      }
    },
    async save(doc) {
      storage.setItem(docKey(doc.name), JSON.stringify({ version: VERSION, ...doc }));
      writeIndex([
        ...readIndex().filter((d) => d.name !== doc.name),
        { name: doc.name, savedAt: doc.savedAt },
      ]);
    },
    async rename(from, to) {
      const raw = storage.getItem(docKey(from));
      if (raw === null) return;
      const v = JSON.parse(raw) as Record<string, unknown>;
      storage.setItem(docKey(to), JSON.stringify({ ...v, name: to }));
      storage.removeItem(docKey(from));
      writeIndex(
        readIndex()
          .map((d) => (d.name === from ? { ...d, name: to } : d))
          .filter((d, i, a) => a.findIndex((x) => x.name === d.name) === i),
      );
    },
    async remove(name) {
      storage.removeItem(docKey(name));
      writeIndex(readIndex().filter((d) => d.name !== name));
    },
  };
}
