'use client';
import { type ReactFlowState, useStore } from '@xyflow/react';
import { createContext, type ReactNode, useContext } from 'react';

/** Below this zoom a card's text is unreadable: nodes draw their level-of-detail face (name and state only). */
export const FAR_ZOOM = 0.3;

const farSelector = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;
const FarZoom = createContext(false);

/**
 * Reads React Flow's zoom once for the whole canvas and hands nodes a boolean. A `useStore` per node
 * would put 2,000 more listeners on React Flow's store at 2,000 tasks, each run on every drag frame (the
 * store changes with each mouse move); the context changes only when the zoom crosses FAR_ZOOM.
 */
export function FarZoomProvider({ children }: { children: ReactNode }) {
  const far = useStore(farSelector);
  return <FarZoom.Provider value={far}>{children}</FarZoom.Provider>;
}

/** Whether the canvas is zoomed out past FAR_ZOOM (inside `FarZoomProvider`). */
export function useFarZoom(): boolean {
  return useContext(FarZoom);
}
