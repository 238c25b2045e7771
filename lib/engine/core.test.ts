/**
 * The core driven the way the cluster drives it: a minimal interpreter that keeps finals only for what
 * `barrierInputs` asks (fetch loop), adds dispatches under the barrier each one names, and completes a
 * message after its Step. It must agree with the simulator.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chain, chord, group, task, withLink, withLinkError } from '../canvas/build';
import type { CanvasFile, CanvasNode } from '../canvas/model';
import { simulate } from '../sim/simulate';
import { catalogue, runCanvas } from '../sim/testing/harness';
import { arbPlannableCanvasFile as arbCanvasFile } from './arbPlannable';
import { barrierInputs, onAttemptFinished, onBarrierReleased, startRun, taskRequest } from './core';
import { planRun } from './plan';
import { executeTask } from './tasks';
import type { BarrierMessage, Dispatch, Step, TaskFinal, TaskMessage } from './types';

function interpret(canvas: CanvasNode, runId: string, file?: CanvasFile) {
  const plan = planRun(
    file ?? {
      canvas,
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    },
    catalogue,
    runId,
  );
  const store = new Map<string, TaskFinal>();
  const pending = new Map<string, { msg: BarrierMessage; parent: string | null; children: number }>();
  const queue: TaskMessage[] = [];
  const keys = new Set<string>();
  const parents: Array<[string, string | null]> = [];
  let finish: Step['finish'];
  const env = { now: 0, random: () => 0.5, worker: 'w' };
  const add = (d: Dispatch): void => {
    expect(keys.has(d.message.key), `duplicate key ${d.message.key}`).toBe(false);
    keys.add(d.message.key);
    parents.push([d.message.key, d.parentBarrier]);
    if (d.parentBarrier !== null) (pending.get(d.parentBarrier) as { children: number }).children += 1;
    if (d.message.kind === 'barrier') {
      const b = { msg: d.message, parent: d.parentBarrier, children: 0 };
      pending.set(d.message.key, b);
      for (const c of d.children ?? []) add(c);
      if (b.children === 0) release(d.message.key);
    } else queue.push(d.message);
  };
  const apply = (step: Step): void => {
    for (const f of step.finals) store.set(f.task_id, f.final);
    for (const d of step.dispatch) add(d);
    if (step.finish) finish = step.finish;
  };
  const complete = (key: string | null): void => {
    if (key === null) return;
    const b = pending.get(key);
    if (!b) throw new Error(`unknown barrier ${key}`);
    b.children -= 1;
    if (b.children === 0) release(key);
  };
  function release(key: string): void {
    const b = pending.get(key);
    if (!b) throw new Error(`unknown barrier ${key}`);
    pending.delete(key);
    // Fetch loop: ask, fetch, ask again with what was fetched until nothing new.
    const fetched = new Map<string, TaskFinal>();
    for (;;) {
      const ids = barrierInputs(plan, b.msg, (id) => fetched.get(id)).filter((id) => !fetched.has(id));
      if (ids.length === 0) break;
      for (const id of ids) {
        const f = store.get(id);
        if (f) fetched.set(id, f);
        else fetched.set(id, { state: 'FAILURE', error: { type: 'Missing', message: id } });
      }
    }
    apply(onBarrierReleased(plan, b.msg, (id) => fetched.get(id), env));
    complete(b.parent);
  }
  apply(startRun(plan));
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const msg = queue.shift() as TaskMessage;
    let r = executeTask(catalogue.get(msg.name), taskRequest(plan, msg));
    while (r.kind === 'effect') r = r.effect === 'sleep' ? r.then() : r.then({ kind: 'timeout' });
    const step = onAttemptFinished(plan, msg, r, env);
    apply(step);
    if (step.retry) queue.push(step.retry.message);
    else complete(msg.barrier);
  }
  return { plan, store, finish, keys, parents };
}

const canvases: Record<string, CanvasNode> = {
  chain: chain(task('add', [1, 1]), task('add', [2]), task('mul', [3])),
  chord: chord(
    [
      task('add', [1, 1]),
      chain(task('add', [1, 1]), task('add', [1])),
      group(task('add', [5, 5]), task('add', [6, 6])),
    ],
    task('tsum', []),
  ),
  nested: chord([chord([task('add', [1, 1])], task('tsum', [])), task('fail', [])], task('tsum', [])),
  add_to_chord: chord([task('add_to_chord_task', [[1, 2, 3], 10]), task('add', [1, 1])], task('tsum', [])),
  links: withLinkError(
    withLink(chain(task('add', [1, 1]), task('fail', [])), task('record', [])),
    task('on_error_id', []),
  ),
  replace: chain(
    task('add_replaced', [1, 2]),
    chord([task('add', [1]), task('flaky', [1, 2])], task('xsum', [])),
  ),
};

describe('core driven like the cluster', () => {
  for (const [name, canvas] of Object.entries(canvases)) {
    it(`${name}: same finals and run outcome as the simulator`, () => {
      const it1 = interpret(canvas, 'run-1');
      const sim = runCanvas(canvas);
      expect(it1.finish?.status).toBe(sim.report.status);
      expect(it1.finish?.result).toEqual(sim.report.result);
      for (const t of sim.report.tasks) {
        const f = it1.store.get(t.id);
        if (t.state === 'PENDING') expect(f).toBeUndefined();
        else expect({ state: f?.state, result: f?.result }).toEqual({ state: t.state, result: t.result });
      }
    });
  }

  it('keys are unique per run, carry the run id, contain no ":" and are not all digits; errback tasks hang off the root', () => {
    const { keys, parents, plan } = interpret(canvases.links as CanvasNode, 'run:7');
    for (const k of keys) {
      expect(k.startsWith('run~003a7.')).toBe(true);
      expect(k).not.toMatch(/:|^\d+$/);
    }
    const root = plan.barriers[0]?.key;
    // The old-style errback was dispatched as a task under the run root.
    const errbackKeys = new Set(plan.tasks.filter((t) => t.origin === 'link_error').map((t) => t.key));
    expect(parents.filter(([k]) => errbackKeys.has(k)).map(([, p]) => p)).toEqual([root]);
    // Task ids never depend on the run id.
    expect(interpret(canvases.chord as CanvasNode, 'a').plan.tasks.map((t) => t.id)).toEqual(
      interpret(canvases.chord as CanvasNode, 'b').plan.tasks.map((t) => t.id),
    );
  });
});

describe('task ids', () => {
  it('labels are verbatim; duplicates and labels equal to a derived id are made unique', () => {
    const plan = planRun(
      {
        canvas: chain(
          task('add', [1, 1], { id: 'x' }),
          task('add', [1], { id: 'x' }),
          task('add', [2], { id: 'task.tasks.3' }),
          task('add', [3]),
        ),
        invoke: { args: [], kwargs: {} },
        config: { task_allow_error_cb_on_chord_header: false },
      },
      catalogue,
      'r',
    );
    expect(plan.tasks.map((t) => t.id)).toEqual(['x', 'x-2', 'task.tasks.3', 'task.tasks.3-2']);
    expect(new Set(plan.tasks.map((t) => t.key)).size).toBe(4);
  });
});

describe('differential: the cluster-style interpreter and the simulator agree', () => {
  it('same finals, status and result on generated canvases (no simulated faults)', () => {
    fc.assert(
      fc.property(arbCanvasFile({ withSim: false }), (file) => {
        const cluster = interpret(file.canvas, 'diff', file);
        const sim = simulate(file, { catalogue, seed: 1, workers: 2, concurrency: 2 });
        expect(cluster.finish?.status).toBe(sim.report.status);
        expect(cluster.finish?.result).toEqual(sim.report.result);
        for (const t of sim.report.tasks) {
          const f = cluster.store.get(t.id);
          if (t.state === 'PENDING') expect(f).toBeUndefined();
          else
            expect({
              state: f?.state,
              result: f?.result,
              error: t.state === 'FAILURE' ? f?.error : undefined,
            }).toEqual({
              state: t.state,
              result: t.result,
              error: t.state === 'FAILURE' ? t.error : undefined,
            });
        }
      }),
      { numRuns: 120 },
    );
  });
});
