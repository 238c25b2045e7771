/**
 * The panel's views, derived from the simulator's events, must agree with the simulator's own run
 * report (SPEC 2.3) for every tutorial scenario: node states, attempt bars (count, starts, outcomes).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCanvasJson } from '../../lib/canvas/canvasJson';
import { runStateAt } from './model/runState';
import { buildTimeline } from './model/timeline';
import { planVariant, runOne, sampleRun } from './runSimulation';
import { TUTORIAL_SCENARIOS } from './scenarios';

const parsed = parseCanvasJson(
  readFileSync(new URL('../../examples/tutorial.json', import.meta.url), 'utf8'),
);
if (!parsed.ok) throw new Error('examples/tutorial.json does not parse');
const tutorial = parsed.value;

describe('views derived from events agree with the run report', () => {
  for (const scenario of TUTORIAL_SCENARIOS) {
    it(`tutorial, ${scenario}`, () => {
      const { events, report } = runOne(tutorial, { seed: 3, workers: 1, concurrency: 4, scenario });
      const final = runStateAt(events, Number.POSITIVE_INFINITY);
      const timeline = buildTimeline(events);
      expect(final.finished?.status).toBe(report.status);
      expect(timeline.endMs).toBe(report.makespan_ms);
      for (const task of report.tasks) {
        expect(final.tasks.get(task.id)?.celery, task.id).toBe(task.state);
        const bars = timeline.bars.filter((b) => b.task_id === task.id);
        expect(bars.map((b) => [b.attempt, b.start, b.end, b.outcome])).toEqual(
          task.history.map((h) => [h.attempt, h.started_at, h.finished_at, h.outcome]),
        );
      }
    });
  }

  it('samples a planned variant like the full simulation (same seed, same makespan and status)', () => {
    const options = { seed: 11, workers: 1, concurrency: 2, scenario: 'flaky' as const };
    const { report } = runOne(tutorial, options);
    const sample = sampleRun(planVariant(tutorial, options), options, 11);
    expect(sample.makespan_ms).toBe(report.makespan_ms);
    expect(sample.status).toBe(report.status);
    expect(sample.retries).toBe(report.tasks.reduce((n, t) => n + t.attempts - 1, 0));
  });
});
