'use client';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { useStore } from 'zustand';
import { createEditorStore, type EditorStore, type EditorStoreOptions } from '@/lib/store/createEditorStore';
import type { EditorState } from '@/lib/store/types';

const EditorContext = createContext<EditorStore | null>(null);

/** One store per editor instance (zustand's "no global stores" rule for Next.js). */
export function EditorProvider({ children, options }: { children: ReactNode; options?: EditorStoreOptions }) {
  const [store] = useState(() => createEditorStore(options));
  return <EditorContext.Provider value={store}>{children}</EditorContext.Provider>;
}

/** The store of the enclosing editor (throws outside an `EditorProvider`). */
export function useEditorStore(): EditorStore {
  const store = useContext(EditorContext);
  if (store === null) throw new Error('useEditor must be used inside <EditorProvider>.');
  return store;
}

/** Subscribes to the smallest slice a component needs. */
export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}

/** The store's actions (stable). */
export function useActions(): EditorState['actions'] {
  return useStore(useEditorStore(), (s) => s.actions);
}
