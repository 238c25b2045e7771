/**
 * Properties of simulated runs over generated canvases: every task reaches a final state at most once
 * (exactly once when it started), the run ends exactly once, no task starts before its inputs, a chord
 * body starts after its whole header, and the same seed gives the identical trace.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanvasFile } from '../canvas/model';
import { arbPlannableCanvasFile as arbCanvasFile } from '../engine/arbPlannable';
import type { PlanNode, RunPlan } from '../engine/types';
import type { RunEvent } from '../protocol/events';
import { planForSimulation, simulate, simulatePlan } from './simulate';
import { catalogue } from './testing/harness';

const FINAL = new Set(['task.succeeded', 'task.failed', 'task.revoked']);

/** Plan tasks that start when `index` is applied. */
function entryTasks(plan: RunPlan, index: number, out: number[] = []): number[] {
  const node = plan.nodes[index] as PlanNode;
  if (node.kind === 'task') out.push(node.task);
  else if (node.kind === 'chain') {
    const first = node.steps[0];
    if (first !== undefined) entryTasks(plan, first, out);
  } else if (node.kind === 'group') for (const m of node.members) entryTasks(plan, m, out);
  else for (const h of node.header) entryTasks(plan, h, out);
  return out;
}

/** Pairs (before, after): `before`'s final event must precede `after`'s first start. */
function dependencies(plan: RunPlan): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const t of plan.tasks) {
    const next = (plan.nodes[t.node] as PlanNode).next;
    if (next !== null)
      for (const y of entryTasks(plan, next)) pairs.push([t.id, (plan.tasks[y] as { id: string }).id]);
  }
  for (const b of plan.barriers.slice(1)) {
    const chord = plan.nodes[b.node] as Extract<PlanNode, { kind: 'chord' }>;
    const header = plan.tasks.filter((t) => t.barrier === b.key);
    for (const y of entryTasks(plan, chord.body)) {
      for (const h of header) pairs.push([h.id, (plan.tasks[y] as { id: string }).id]);
    }
  }
  return pairs;
}

function check(file: CanvasFile, seed: number): void {
  const opts = { catalogue, seed, workers: 2, concurrency: 2 };
  const { events, report } = simulate(file, opts);
  // seq is 1..n; the run ends exactly once, last.
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
  expect(events[events.length - 1]?.type).toBe('run.finished');
  // Final at most once per task; exactly once for every task that started.
  const finals = new Map<string, number>();
  const firstStart = new Map<string, number>();
  const finalAt = new Map<string, number>();
  for (const e of events as RunEvent[]) {
    if (FINAL.has(e.type)) {
      const id = (e as { task_id: string }).task_id;
      finals.set(id, (finals.get(id) ?? 0) + 1);
      finalAt.set(id, e.seq);
    }
    if (e.type === 'task.started' && !firstStart.has(e.task_id)) firstStart.set(e.task_id, e.seq);
  }
  for (const [id, n] of finals) expect(n, `task ${id} final events`).toBe(1);
  for (const id of firstStart.keys()) expect(finals.get(id), `task ${id} started but never ended`).toBe(1);
  for (const t of report.tasks) {
    if (t.state === 'PENDING') expect(finals.has(t.id)).toBe(false);
    else if (t.state !== 'STARTED' && t.state !== 'RETRY') expect(finals.get(t.id)).toBe(1);
    expect(['STARTED', 'RETRY']).not.toContain(t.state);
  }
  // No task starts before its inputs; chord bodies after their whole header.
  const plan = planForSimulation(file, { catalogue });
  for (const [before, after] of dependencies(plan)) {
    const started = firstStart.get(after);
    if (started === undefined) continue;
    const done = finalAt.get(before);
    expect(done, `${after} started before ${before} finished`).toBeDefined();
    expect(done ?? Infinity).toBeLessThan(started);
  }
}

describe('simulator properties', () => {
  it('finals once, run ends once, inputs before starts, chord body after header', () => {
    fc.assert(
      fc.property(arbCanvasFile(), fc.integer({ min: 0, max: 1000 }), (file, seed) => check(file, seed)),
      { numRuns: 150 },
    );
  });

  it('same seed → identical trace; the plan is independent of the run id', () => {
    fc.assert(
      fc.property(arbCanvasFile(), fc.integer({ min: 0, max: 1000 }), (file, seed) => {
        const a = simulate(file, { catalogue, seed, workers: 2, concurrency: 3 });
        const b = simulate(file, { catalogue, seed, workers: 2, concurrency: 3 });
        expect(b.events).toEqual(a.events);
        const p1 = planForSimulation(file, { catalogue, run_id: 'one' });
        const p2 = planForSimulation(file, { catalogue, run_id: 'two' });
        expect(p2.tasks.map((t) => t.id)).toEqual(p1.tasks.map((t) => t.id));
        // Message keys never contain ':' and are never all digits.
        for (const t of p1.tasks) expect(t.key).toMatch(/^[^:]*[^0-9:][^:]*$/);
      }),
      { numRuns: 60 },
    );
  });

  it('Monte Carlo mode (no trace) agrees with the traced run', () => {
    fc.assert(
      fc.property(arbCanvasFile(), fc.integer({ min: 0, max: 1000 }), (file, seed) => {
        const plan = planForSimulation(file, { catalogue });
        const traced = simulatePlan(plan, { seed, trace: true });
        const quiet = simulatePlan(plan, { seed, trace: false });
        expect(quiet.status).toBe(traced.status);
        expect(quiet.makespan_ms).toBe(traced.makespan_ms);
      }),
      { numRuns: 60 },
    );
  });
});
