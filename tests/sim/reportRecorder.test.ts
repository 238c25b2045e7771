/**
 * Differential guard of the recorded report (lib/sim/reportRecorder.ts): over random plannable
 * canvases, scenarios, seeds and pools, the report the loop records as it runs — with the trace
 * (`simulate`) and without it (`simulateReport`) — is byte for byte the report the generic reducer
 * folds from the trace, `toReport(reduceRunAll(events))`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbPlannableCanvasFile } from '@/lib/engine/arbPlannable';
import { reduceRunAll } from '@/lib/protocol/reduceRun';
import { toReport } from '@/lib/protocol/toReport';
import { simulate, simulateReport } from '@/lib/sim/simulate';
import { catalogue } from '@/lib/sim/testing/harness';

const SCENARIOS = [undefined, 'flaky', 'partial_fail', 'down', 'slow'] as const;

describe('the recorded report', () => {
  it('equals the report folded from the trace, with and without the trace', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        arbPlannableCanvasFile(),
        fc.constantFrom(...SCENARIOS),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        (file, scenario, seed, workers, concurrency) => {
          const opts = { catalogue, seed, workers, concurrency, ...(scenario ? { scenario } : {}) };
          const traced = simulate(file, opts);
          const folded = JSON.stringify(toReport(reduceRunAll(traced.events)));
          expect(JSON.stringify(traced.report)).toBe(folded);
          const untraced = simulateReport(file, opts);
          expect(JSON.stringify(untraced.report)).toBe(folded);
          expect(untraced.critical_path).toEqual(traced.critical_path);
          // The CLI's run: no critical path kept, the same report.
          const cli = simulateReport(file, { ...opts, criticalPath: false });
          expect(JSON.stringify(cli.report)).toBe(folded);
        },
      ),
      { numRuns: 400, seed: 20261206 },
    );
  });
});
