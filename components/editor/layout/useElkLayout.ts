'use client';
import { useCallback } from 'react';
import { drawingOf } from '@/lib/store/edits';
import { layoutDrawing } from '@/lib/store/layout';
import { useEditorStore } from '../EditorProvider';
import { layoutInWorker, positionsFromElk, toElkGraph } from './elkLayout';

/** ELK auto-layout off the main thread: everything, or only the selection (and its content). One undo step. */
export function useElkLayout(): () => Promise<void> {
  const store = useEditorStore();
  return useCallback(async () => {
    const s = store.getState();
    const canvas = s.doc.canvas;
    if (canvas === null) return;
    const drawing = drawingOf(canvas);
    const boxes = layoutDrawing(canvas, drawing, s.doc.positions);
    try {
      const laid = positionsFromElk(await layoutInWorker(toElkGraph(drawing, boxes)));
      const now = store.getState();
      if (now.doc.canvas !== canvas) return; // the canvas changed meanwhile: drop this stale layout
      const selected = new Set(now.selection.ids);
      let grew = true;
      while (grew) {
        grew = false;
        for (const n of drawing.nodes)
          if (n.parentId !== undefined && selected.has(n.parentId) && !selected.has(n.id)) {
            selected.add(n.id);
            grew = true;
          }
      }
      const positions =
        selected.size === 0
          ? laid
          : {
              ...now.doc.positions,
              ...Object.fromEntries(Object.entries(laid).filter(([id]) => selected.has(id))),
            };
      now.actions.setPositions(positions);
      now.actions.requestFit();
    } catch (e) {
      s.actions.notify(
        'error',
        `Auto-layout failed: ${e instanceof Error ? e.message : String(e)}. The layout is unchanged.`,
      );
    }
  }, [store]);
}
