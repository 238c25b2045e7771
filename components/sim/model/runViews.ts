/**
 * The views a shown run needs at once (timeline, the cursor's fold at the end, critical node paths),
 * derived in one place so the simulation worker can build them off the main thread and the store can
 * build the same ones itself for live runs.
 */
import type { RunEvent } from '../../../lib/protocol/events';
import { foldEvents, type RunStateAt } from './runState';
import { buildTimeline, type Timeline } from './timeline';

export interface RunViews {
  timeline: Timeline;
  /** Every event folded up to `timeline.endMs` (a `createRunCursor` seed). */
  fold: RunStateAt;
  /** Canvas paths of the critical tasks, in order, deduplicated. */
  criticalPaths: string[];
}

/** Derives the views of `events` given the run's critical path (task ids). */
export function deriveRunViews(events: readonly RunEvent[], criticalTasks: readonly string[]): RunViews {
  const timeline = buildTimeline(events);
  const fold = foldEvents(events, timeline.endMs);
  const paths = new Set<string>();
  for (const id of criticalTasks) {
    const task = fold.tasks.get(id);
    if (task) paths.add(task.path);
  }
  return { timeline, fold, criticalPaths: [...paths] };
}
