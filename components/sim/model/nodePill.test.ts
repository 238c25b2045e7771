/**
 * The node pill's words follow a real simulated run of the tutorial: the retry countdown while A waits,
 * the attempt that succeeded, B's failure after its attempts and D never running.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCanvasJson } from '../../../lib/canvas/canvasJson';
import { runOne } from '../runSimulation';
import { pillText } from './nodePill';
import { runStateAt } from './runState';

const parsed = parseCanvasJson(
  readFileSync(new URL('../../../examples/tutorial.json', import.meta.url), 'utf8'),
);
if (!parsed.ok) throw new Error('examples/tutorial.json does not parse');
const tutorial = parsed.value;
const opts = { seed: 7, workers: 1, concurrency: 4 };

function byName(events: Parameters<typeof runStateAt>[0], t: number, name: string) {
  const task = [...runStateAt(events, t).tasks.values()].find((x) => x.name === name);
  if (!task) throw new Error(`${name} is not in the run`);
  return task;
}

describe('node pill text', () => {
  it('flaky: A counts down to its next attempt, then succeeds on attempt 3', () => {
    const { events } = runOne(tutorial, { ...opts, scenario: 'flaky' });
    const retried = events.find((e) => e.type === 'task.retried');
    expect(retried).toBeDefined();
    const t = (retried?.at ?? 0) + 1;
    const waiting = byName(events, t, 'TASK_A');
    expect(waiting.status).toBe('retry_wait');
    const left = (waiting.retryAt ?? 0) - t;
    expect(left).toBeGreaterThan(0);
    expect(pillText(waiting, t)).toMatch(new RegExp(`^retry ${waiting.attempt + 1} in `));
    // Later in the wait, fewer seconds are left.
    const later = pillText(waiting, t + left / 2);
    expect(later).not.toBe(pillText(waiting, t));
    const done = byName(events, Number.POSITIVE_INFINITY, 'TASK_A');
    expect(pillText(done, Number.POSITIVE_INFINITY)).toBe(`success · attempt ${done.attempt}`);
    expect(done.attempt).toBe(3);
  });

  it('partial_fail: B fails after its attempts and D never runs', () => {
    const { events } = runOne(tutorial, { ...opts, scenario: 'partial_fail' });
    const b = byName(events, Number.POSITIVE_INFINITY, 'TASK_B');
    expect(pillText(b, Number.POSITIVE_INFINITY)).toBe(`failed · ${b.attempt} attempts`);
    const d = byName(events, Number.POSITIVE_INFINITY, 'TASK_D');
    expect(['upstream failed', 'never ran']).toContain(pillText(d, Number.POSITIVE_INFINITY));
  });
});
