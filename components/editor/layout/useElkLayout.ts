'use client';
import { useCallback } from 'react';
import type { Drawing } from '@/lib/canvas/drawing';
import { stackDrawing } from '@/lib/canvas/stacks';
import { drawingOf } from '@/lib/store/edits';
import { layoutDrawing } from '@/lib/store/layout';
import { useEditorStore } from '../EditorProvider';
import { useStackView } from '../stacks/stackView';
import { stacksOf } from '../stacks/useStackedDrawing';
import { layoutInWorker, positionsFromElk, toElkGraph } from './elkLayout';

/** ELK auto-layout off the main thread: everything, or only the selection (and its content). One undo step. */
export function useElkLayout(): () => Promise<void> {
  const store = useEditorStore();
  return useCallback(async () => {
    const s = store.getState();
    const canvas = s.doc.canvas;
    if (canvas === null) return;
    // ELK lays out what is drawn: a stack is one node, not its 10,000 members.
    const view = useStackView.getState();
    const stacked = stackDrawing(drawingOf(canvas), view.enabled ? stacksOf(canvas) : [], view.expanded);
    const boxes = layoutDrawing(canvas, stacked.drawing, s.doc.positions, stacked.stacks);
    const drawing: Drawing = {
      nodes: [
        ...stacked.drawing.nodes,
        ...stacked.stacks.map(({ spec }) => ({
          id: spec.id,
          kind: 'task' as const,
          path: [],
          ...(spec.parentId !== undefined ? { parentId: spec.parentId } : {}),
          ...(spec.region !== undefined ? { region: spec.region } : {}),
        })),
      ],
      edges: stacked.drawing.edges,
    };
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
