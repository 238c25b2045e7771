/** Monte Carlo statistics and variant comparison on the same seeds. */
import { describe, expect, it } from 'vitest';
import { chain, task } from '../canvas/build';
import type { CanvasFile, CanvasNode } from '../canvas/model';
import { compareVariants, monteCarlo } from './monteCarlo';
import { catalogue } from './testing/harness';
import { tutorialPipeline } from './tutorialCanvas';

function file(canvas: CanvasNode): CanvasFile {
  return { canvas, invoke: { args: [], kwargs: {} }, config: { task_allow_error_cb_on_chord_header: false } };
}

describe('monteCarlo', () => {
  it('tutorial: deterministic scenarios give exact rates and retry loads', () => {
    const down = monteCarlo(file(tutorialPipeline()), { catalogue, runs: 50, scenario: 'down' });
    expect(down).toMatchObject({ runs: 50, success_rate: 0, retries: { mean: 3, total: 150 } });
    expect(down.makespan_ms.p50).toBeGreaterThan(14_000);
    expect(down.makespan_ms.p50).toBeLessThan(14_500);
    const flaky = monteCarlo(file(tutorialPipeline()), { catalogue, runs: 50, scenario: 'flaky' });
    expect(flaky.success_rate).toBe(1);
    expect(flaky.retries.mean).toBe(2);
    expect(flaky.histogram.reduce((n, b) => n + b.count, 0)).toBe(50);
  });

  it('random faults: success rate follows the probability; same seed → same statistics', () => {
    const canvas = chain(
      task('add', [1, 1], { sim: { fail_probability: 0.5 } }),
      task('add', [1], { sim: { duration_ms: { dist: 'uniform', min_ms: 10, max_ms: 100 } } }),
    );
    const a = monteCarlo(file(canvas), { catalogue, runs: 400, seed: 5 });
    const b = monteCarlo(file(canvas), { catalogue, runs: 400, seed: 5 });
    expect(b).toEqual(a);
    expect(a.success_rate).toBeGreaterThan(0.4);
    expect(a.success_rate).toBeLessThan(0.6);
    expect(a.makespan_ms.p50).toBeLessThanOrEqual(a.makespan_ms.p95);
    expect(a.makespan_ms.p95).toBeLessThanOrEqual(a.makespan_ms.p99);
  });

  it('compareVariants: a retry policy turns failures into retries on the same seeds', () => {
    const base = task('add', [1, 1], { sim: { fail_probability: 0.3 } });
    const retried = task('add', [1, 1], {
      sim: { fail_probability: 0.3 },
      options: { autoretry_for: ['ExpectedException'], max_retries: 5, default_retry_delay: 1 },
    });
    const cmp = compareVariants(file(base), file(retried), { catalogue, runs: 300, seed: 1 });
    expect(cmp.a.success_rate).toBeLessThan(0.8);
    expect(cmp.b.success_rate).toBeGreaterThan(0.99);
    expect(cmp.delta.success_rate).toBeCloseTo(cmp.b.success_rate - cmp.a.success_rate);
    expect(cmp.b.retries.mean).toBeGreaterThan(0);
  });
});
