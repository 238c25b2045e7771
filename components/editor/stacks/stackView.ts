'use client';
/**
 * Which members of each stack are drawn (the expanded range), by stack id. A view setting of the open
 * editor, not part of the document: it is neither undoable nor saved.
 */
import { create } from 'zustand';
import type { StackRange } from '@/lib/canvas/stacks';

export interface StackViewState {
  /** Off: every member is drawn (the editor bench's node-count baseline). */
  enabled: boolean;
  expanded: Record<string, StackRange>;
  /** Draws members `from`..`to` (exclusive) of a stack as nodes; `null` collapses it. */
  setRange(stackId: string, range: StackRange | null): void;
}

export const useStackView = create<StackViewState>()((set, get) => ({
  enabled: true,
  expanded: {},
  setRange(stackId, range) {
    const expanded = { ...get().expanded };
    if (range === null || range.to <= range.from) delete expanded[stackId];
    else expanded[stackId] = range;
    set({ expanded });
  },
}));
