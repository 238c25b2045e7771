'use client';
import { useEffect } from 'react';
import type { EditorStore } from '@/lib/store/createEditorStore';

function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.tagName === 'INPUT' ||
      target.tagName === 'TEXTAREA' ||
      target.tagName === 'SELECT' ||
      target.isContentEditable)
  );
}

/** Global editor shortcuts (ignored while typing in a field). */
export function useShortcuts(
  store: EditorStore,
  view: { fit: () => void; selectedEdges: () => string[]; autoLayout: () => void },
): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target)) return;
      const a = store.getState().actions;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      const run = (f: () => void) => {
        e.preventDefault();
        f();
      };
      if (mod && k === 'z') return run(() => (e.shiftKey ? a.redo() : a.undo()));
      if (mod && k === 'y') return run(() => a.redo());
      // Copy/cut let the browser's copy event through, so the system clipboard gets our marker.
      if (mod && k === 'c') return a.copySelection();
      if (mod && k === 'x') return a.cutSelection();
      if (mod && k === 'v') return; // handled by the paste event (system clipboard text or the internal clipboard)
      if (mod && k === 'd') return run(() => a.duplicateSelection());
      if (mod && k === 'a') return run(() => a.selectAll());
      if (mod && e.shiftKey && k === 'g') return run(() => a.unwrapSelection());
      if (mod && k === 'g') return run(() => a.wrapSelection('group'));
      if (mod && e.shiftKey && k === 'k') return run(() => a.wrapSelection('chord'));
      if (mod && e.shiftKey && k === 'l') return run(() => a.wrapSelection('chain'));
      if (mod) return;
      if (e.altKey && e.key === 'ArrowUp') return run(() => a.reorderSelection(-1));
      if (e.altKey && e.key === 'ArrowDown') return run(() => a.reorderSelection(1));
      if (e.key === 'Delete' || e.key === 'Backspace') {
        const edges = view.selectedEdges();
        if (store.getState().selection.ids.length > 0) return run(() => a.deleteSelection());
        if (edges.length > 0) return run(() => a.removeEdges(edges));
        return;
      }
      if (e.key === '?') return run(() => a.setShortcutsOpen(!store.getState().ui.shortcutsOpen));
      if (e.key === 'Escape') {
        a.setShortcutsOpen(false);
        a.dismissNotice();
        return a.select([]);
      }
      if (e.shiftKey && k === 'u') return run(() => a.selectReachable('up'));
      if (e.shiftKey && k === 'd') return run(() => a.selectReachable('down'));
      if (e.shiftKey && e.altKey && (k === 't' || e.code === 'KeyT')) return run(() => view.autoLayout());
      if (e.shiftKey && k === 't') return run(() => a.tidy(store.getState().selection.ids));
      if (!e.shiftKey && (k === 'f' || k === '1')) return run(() => view.fit());
      if (k === '/') {
        return run(() =>
          (document.querySelector('[data-testid="palette-search"]') as HTMLInputElement | null)?.focus(),
        );
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store, view]);
}
