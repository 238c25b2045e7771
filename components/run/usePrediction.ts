'use client';
/**
 * The simulator's prediction for a live run: the same canvas, the tutorial scenario named in the payload
 * (if any), simulated once; compared with the live state as it changes.
 */
import { useMemo } from 'react';
import type { CanvasFile, Json } from '@/lib/canvas/model';
import { type RunStateAt, runStateAt } from '../sim/model/runState';
import { buildTimeline, type Timeline } from '../sim/model/timeline';
import { runOne } from '../sim/runSimulation';
import { isTutorialScenario } from '../sim/scenarios';
import { compareRuns } from './prediction';

export interface Prediction {
  timeline: Timeline;
  state: RunStateAt;
  /** Tasks in the order the prediction starts them (then the rest). */
  order: Array<{ task_id: string; name: string }>;
  divergent: Map<string, string>;
}

function scenarioOf(payload: Json): string | undefined {
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
    const s = payload.scenario;
    return typeof s === 'string' ? s : undefined;
  }
  return undefined;
}

export function usePrediction(
  file: CanvasFile | null,
  payload: Json,
  actual: RunStateAt,
  actualFinished: boolean,
): Prediction | null {
  const scenario = scenarioOf(payload);
  const simulated = useMemo(() => {
    if (!file) return null;
    try {
      const { events } = runOne(file, {
        seed: 1,
        workers: 1,
        concurrency: 16,
        ...(scenario && isTutorialScenario(scenario) ? { scenario } : {}),
      });
      const state = runStateAt(events, Number.POSITIVE_INFINITY);
      const timeline = buildTimeline(events);
      const firstStart = new Map<string, number>();
      for (const bar of timeline.bars)
        if (!firstStart.has(bar.task_id)) firstStart.set(bar.task_id, bar.start);
      const order = [...state.tasks.values()]
        .sort((a, b) => (firstStart.get(a.task_id) ?? Infinity) - (firstStart.get(b.task_id) ?? Infinity))
        .map((t) => ({ task_id: t.task_id, name: t.name }));
      return { state, timeline, order };
    } catch {
      // A canvas the simulator cannot plan has no prediction; the live view still works.
      return null;
    }
  }, [file, scenario]);
  return useMemo(() => {
    if (!simulated) return null;
    const divergent = compareRuns(simulated.state, actual, actualFinished);
    const known = new Set(simulated.order.map((t) => t.task_id));
    const order = [
      ...simulated.order,
      ...[...actual.tasks.values()]
        .filter((t) => !known.has(t.task_id))
        .map((t) => ({ task_id: t.task_id, name: t.name })),
    ];
    return { ...simulated, order, divergent };
  }, [simulated, actual, actualFinished]);
}
