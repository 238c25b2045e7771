/**
 * `StepOut.succeeded` (issue 14 part 2): at `EventLevel` `outcomes` a success reaches a `StepOut` that
 * has the method as fields instead of a `task.succeeded` event; at `all`, or without the method, the
 * event comes as ever. And the builder the core reuses across transitions leaks nothing between them.
 */
import { describe, expect, it } from 'vitest';
import { chain, task } from '../canvas/build';
import type { Json } from '../canvas/model';
import { catalogue } from '../sim/testing/harness';
import { onAttemptFinished, onAttemptFinishedInto, startRun } from './core';
import { planRun } from './plan';
import { StepCollector } from './stepOut';
import type { EventLevel, RunPlan, TaskMessage } from './types';

class Recording extends StepCollector {
  readonly successes: Array<[string, number, number, Json, boolean]> = [];
  succeeded(taskId: string, task: number, attempt: number, result: Json, ignored: boolean): void {
    this.successes.push([taskId, task, attempt, result, ignored]);
  }
}

function firstMessage(plan: RunPlan): TaskMessage {
  const root = startRun(plan).dispatch[0];
  return root?.children?.[0]?.message as TaskMessage;
}

function setup(ignore = false): { plan: RunPlan; msg: TaskMessage } {
  const first = task('add', [1, 2], ignore ? { options: { ignore_result: true } } : {});
  const plan = planRun(
    {
      canvas: chain(first, task('add', [3])),
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    },
    catalogue,
    'r',
  );
  return { plan, msg: firstMessage(plan) };
}

const env = (events: EventLevel) => ({ now: 7, random: () => 0.5, worker: 'w', events });

describe('StepOut.succeeded', () => {
  it('takes a success at outcomes, without a task.succeeded event', () => {
    const { plan, msg } = setup();
    const out = new Recording(plan);
    onAttemptFinishedInto(out, plan, msg, { kind: 'success', value: 3 }, env('outcomes'));
    expect(out.successes).toEqual([[msg.task_id, msg.task, 1, 3, false]]);
    expect(out.step.events.map((e) => e.type)).not.toContain('task.succeeded');
    expect(out.step.finals).toEqual([
      { task_id: msg.task_id, task: msg.task, final: { state: 'SUCCESS', result: 3 } },
    ]);
    expect(out.step.dispatch).toHaveLength(1);
  });

  it('says ignore_result as ignored', () => {
    const { plan, msg } = setup(true);
    const out = new Recording(plan);
    onAttemptFinishedInto(out, plan, msg, { kind: 'success', value: 3 }, env('outcomes'));
    expect(out.successes).toEqual([[msg.task_id, msg.task, 1, 3, true]]);
  });

  it('gives the event at all, and to a StepOut without the method', () => {
    const { plan, msg } = setup();
    const out = new Recording(plan);
    onAttemptFinishedInto(out, plan, msg, { kind: 'success', value: 3 }, env('all'));
    expect(out.successes).toEqual([]);
    const plain = onAttemptFinished(plan, msg, { kind: 'success', value: 3 }, env('outcomes'));
    expect(plain.events).toEqual([
      { run_id: 'r', at: 7, type: 'task.succeeded', task_id: msg.task_id, attempt: 1, result: 3 },
    ]);
  });

  it('leaks nothing from one transition into the next (the reused builder)', () => {
    const { plan, msg } = setup();
    const a = onAttemptFinished(plan, msg, { kind: 'success', value: 3 }, { ...env('all'), now: 1 });
    const snapshot = JSON.stringify(a);
    const b = onAttemptFinished(plan, msg, { kind: 'success', value: 4 }, { ...env('all'), now: 2 });
    expect(JSON.stringify(a)).toBe(snapshot);
    expect(b.events.find((e) => e.type === 'task.succeeded')).toMatchObject({ at: 2, result: 4 });
  });
});
