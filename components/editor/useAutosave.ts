'use client';
import { useEffect } from 'react';
import type { DocSlice } from '@/lib/store/types';
import type { useEditorStore } from './EditorProvider';

/** Where the open document is kept between visits (read back by the editor when it starts). */
export const AUTOSAVE_KEY = 'chordflow.autosave';

/**
 * Keeps the open document in localStorage: debounced after every change, and at once when the page goes
 * away. Nothing is written when `persist` is off (embedded editors, tests).
 */
export function useAutosave(store: ReturnType<typeof useEditorStore>, doc: DocSlice, persist: boolean): void {
  // Autosave (debounced) whenever the document changes.
  useEffect(() => {
    if (!persist) return;
    const timer = setTimeout(() => {
      const name = store.getState().ui.docName;
      window.localStorage.setItem(AUTOSAVE_KEY, JSON.stringify({ version: 1, name, doc }));
    }, 300);
    return () => clearTimeout(timer);
  }, [doc, persist, store]);

  // …and at once when the page goes away: a link opened right after an edit must not lose it to the
  // debounce (the next page restores the autosave before it opens the link).
  useEffect(() => {
    if (!persist) return;
    const save = () => {
      const { ui, doc: current } = store.getState();
      window.localStorage.setItem(
        AUTOSAVE_KEY,
        JSON.stringify({ version: 1, name: ui.docName, doc: current }),
      );
    };
    window.addEventListener('pagehide', save);
    return () => window.removeEventListener('pagehide', save);
  }, [persist, store]);
}
