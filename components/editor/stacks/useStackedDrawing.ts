'use client';
import { useMemo } from 'react';
import type { Drawing } from '@/lib/canvas/drawing';
import type { CanvasNode } from '@/lib/canvas/model';
import { findStacks, type StackedDrawing, stackDrawing } from '@/lib/canvas/stacks';
import { useStackView } from './stackView';

const specCache = new WeakMap<CanvasNode, ReturnType<typeof findStacks>>();

/** The stacks of an editor tree, found once per tree object (trees are immutable in the store). */
export function stacksOf(tree: CanvasNode | null): ReturnType<typeof findStacks> {
  if (tree === null) return [];
  let specs = specCache.get(tree);
  if (specs === undefined) {
    specs = findStacks(tree);
    specCache.set(tree, specs);
  }
  return specs;
}

/** What the canvas draws: the document's drawing with its stacks collapsed except the expanded ranges. */
export function useStackedDrawing(tree: CanvasNode | null, drawing: Drawing): StackedDrawing {
  const expanded = useStackView((s) => s.expanded);
  const enabled = useStackView((s) => s.enabled);
  return useMemo(
    () => stackDrawing(drawing, enabled ? stacksOf(tree) : [], expanded),
    [tree, drawing, expanded, enabled],
  );
}
