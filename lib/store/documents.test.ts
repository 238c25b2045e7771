import { describe, expect, it } from 'vitest';
import { EMPTY_DOC } from './createEditorStore';
import { createLocalRepository, type KeyValueStorage } from './documents';

function memoryStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

describe('local document repository', () => {
  it('saves, lists newest first, renames, loads and deletes', async () => {
    const repo = createLocalRepository(memoryStorage());
    await repo.save({ name: 'a', savedAt: 1, doc: EMPTY_DOC });
    await repo.save({ name: 'b', savedAt: 2, doc: { ...EMPTY_DOC, positions: { u1: { x: 1, y: 2 } } } });
    expect((await repo.list()).map((d) => d.name)).toEqual(['b', 'a']);
    await repo.rename('b', 'c');
    expect((await repo.load('c'))?.doc.positions).toEqual({ u1: { x: 1, y: 2 } });
    expect(await repo.load('b')).toBeNull();
    await repo.remove('a');
    expect((await repo.list()).map((d) => d.name)).toEqual(['c']);
  });

  it('answers null for a corrupt or foreign document instead of throwing', async () => {
    const storage = memoryStorage();
    const repo = createLocalRepository(storage);
    storage.setItem('chordflow.docs.doc.x', '{not json');
    storage.setItem('chordflow.docs.doc.y', JSON.stringify({ version: 99, doc: {} }));
    expect(await repo.load('x')).toBeNull();
    expect(await repo.load('y')).toBeNull();
  });
});
