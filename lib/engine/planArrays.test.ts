import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { task } from '../canvas/build';
import { createCatalogue } from '../canvas/catalogue';
import type { CanvasFile, CanvasNode } from '../canvas/model';
import { arbPlannableCanvasFile } from './arbPlannable';
import { planRun } from './plan';
import {
  F_CANVAS,
  F_IGNORE_RESULT,
  F_IMMUTABLE,
  F_LINKS,
  F_NO_KWARGS,
  F_PRIORITY,
  F_SEND_TIME,
  planArrays,
} from './planArrays';
import { barrierIndexOf } from './planIndex';
import type { RunPlan } from './types';

const catalogue = createCatalogue();

/** Every array entry, read back from the plan's objects. */
function expectRepeatsPlan(plan: RunPlan): void {
  const a = planArrays(plan);
  expect(a.ids.length).toBe(plan.tasks.length);
  plan.tasks.forEach((t, i) => {
    expect(a.ids[i]).toBe(t.id);
    expect(a.barrier[i]).toBe(barrierIndexOf(plan, t.barrier) ?? -1);
    expect(a.next[i]).toBe(plan.nodes[t.node]?.next ?? -1);
    expect(a.reports[i]).toBe(t.reports ?? -1);
    expect(a.argc[i]).toBe(t.args.length);
    expect(a.names[a.nameIndex[i] as number]).toBe(t.name);
    const o = t.options;
    const flags =
      (t.origin === 'canvas' ? F_CANVAS : 0) |
      (t.links.length > 0 ? F_LINKS : 0) |
      (o.ignore_result === true ? F_IGNORE_RESULT : 0) |
      (o.apply_countdown !== undefined || o.eta !== undefined || o.expires !== undefined ? F_SEND_TIME : 0) |
      (t.immutable ? F_IMMUTABLE : 0) |
      (Object.keys(t.kwargs).length === 0 ? F_NO_KWARGS : 0) |
      (o.priority !== undefined ? F_PRIORITY : 0);
    expect(a.flags[i]).toBe(flags);
  });
  plan.nodes.forEach((n, i) => {
    expect(a.nodeTask[i]).toBe(n.kind === 'task' ? n.task : -1);
  });
  expect(new Set(a.names).size).toBe(a.names.length);
  expect(a.models).toBe(plan.tasks.some((t) => t.sim !== undefined));
}

describe('planArrays (the plan as arrays for the core)', () => {
  it('repeats what the plan objects say, on random canvases', () => {
    fc.assert(
      fc.property(arbPlannableCanvasFile(), (file) => expectRepeatsPlan(planRun(file, catalogue, 'r'))),
      { numRuns: 150, seed: 14 },
    );
  });

  it('gives each plan its own arrays (a new plan is not answered from the last one)', () => {
    const file = (canvas: CanvasNode): CanvasFile => ({
      canvas,
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    });
    const a = planRun(file(task('add', [1, 2])), catalogue, 'a');
    const b = planRun(file(task('add', [1, 2], { id: 'other' })), catalogue, 'b');
    expect(planArrays(a).ids).toEqual([a.tasks[0]?.id]);
    expect(planArrays(b).ids).toEqual(['other']);
    expect(planArrays(a).ids).toEqual([a.tasks[0]?.id]);
  });
});
