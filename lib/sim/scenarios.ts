/**
 * Scenarios. For the tutorial pipeline (TASK_A..D) a scenario is the seed's: it is written into every
 * tutorial task's `payload.scenario` and the modelled service does the rest. For any other graph the
 * same names are generic presets layered on the nodes' own `SimModel`s:
 *
 * - `happy`: no faults at all (the nodes' injected faults are removed; durations kept).
 * - `flaky`: the first canvas task fails its first 2 attempts (with an exception its retry policy
 *   catches, if it has one), like the tutorial's TASK_A.
 * - `slow`: every attempt of the first canvas task takes 8 s longer (time limits then fire).
 * - `down`: every attempt of the first canvas task fails.
 * - `partial_fail`: every attempt of the first chord-header (or group) member fails.
 */

import type { CanvasNode, Json, SimModel } from '../canvas/model';
import type { PlanTask, RunPlan } from '../engine/types';
import { planView } from './planView';

export const SCENARIOS = ['happy', 'flaky', 'slow', 'down', 'partial_fail'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

const TUTORIAL = /^TASK_[A-D]$/;

/** Writes `scenario` into `payload.scenario` of every tutorial task (the seed reads it from kwargs). */
export function withTutorialScenario(node: CanvasNode, scenario: string): CanvasNode {
  const sub = (n: CanvasNode): CanvasNode => withTutorialScenario(n, scenario);
  const lists = { link: node.link.map(sub), link_error: node.link_error.map(sub) };
  switch (node.type) {
    case 'task': {
      if (!TUTORIAL.test(node.task)) return { ...node, ...lists };
      const payload = node.kwargs.payload;
      const base = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
      const kwargs: Record<string, Json> = { ...node.kwargs, payload: { ...base, scenario } };
      return { ...node, ...lists, kwargs };
    }
    case 'chain':
    case 'group':
      return { ...node, ...lists, tasks: node.tasks.map(sub) };
    case 'chord':
      return { ...node, ...lists, header: node.header.map(sub), body: sub(node.body) };
  }
}

/** True when the canvas uses a tutorial task (then scenarios are the seed's). */
export function usesTutorialTasks(plan: RunPlan): boolean {
  return plan.tasks.some((t) => TUTORIAL.test(t.name));
}

function withoutFaults(model: SimModel | undefined): SimModel | undefined {
  if (model === undefined) return undefined;
  const { fail_first: _f, fail_probability: _p, down: _d, ...rest } = model;
  return rest;
}

/**
 * The simulation model of every plan task (index-aligned) under a generic preset; an empty list when
 * no task has one (reading past its end gives `undefined` as well: no 100,000-slot list of nothing).
 */
export function simModelsFor(plan: RunPlan, scenario: ScenarioName | undefined): Array<SimModel | undefined> {
  if (scenario === undefined && !planView(plan).models) return [];
  const models = plan.tasks.map((t) => t.sim);
  if (scenario === undefined) return models;
  const out = models.map(withoutFaults);
  const firstIndex = plan.tasks.findIndex((t) => t.origin === 'canvas');
  const first = plan.tasks[firstIndex];
  const errorFor = (t: PlanTask): { type: string; message: string } => ({
    type: t.options.autoretry_for[0] ?? 'ExpectedException',
    message: `injected ${scenario} failure`,
  });
  if (first === undefined) return out;
  if (scenario === 'flaky') out[firstIndex] = { ...out[firstIndex], fail_first: 2, error: errorFor(first) };
  if (scenario === 'slow') out[firstIndex] = { ...out[firstIndex], extra_delay_ms: 8000 };
  if (scenario === 'down') out[firstIndex] = { ...out[firstIndex], down: true, error: errorFor(first) };
  if (scenario === 'partial_fail') {
    let target = plan.tasks.findIndex((t) => t.origin === 'canvas' && t.reports !== undefined);
    if (target < 0)
      target = plan.tasks.findIndex((t) => t.origin === 'canvas' && /(^|\.)tasks\.\d+$/.test(t.path));
    if (target < 0) target = firstIndex;
    const t = plan.tasks[target] as PlanTask;
    out[target] = { ...out[target], down: true, error: errorFor(t) };
  }
  return out;
}
