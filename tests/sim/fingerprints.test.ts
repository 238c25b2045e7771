/**
 * Byte-for-byte guard for simulator speed work: the SHA-1 of every output of `simulate` (events,
 * report, critical path) over 150 random canvases × 3 scenarios, with varied seeds, workers and
 * slots, against the fingerprints recorded before the optimisations (fingerprints.json beside this file).
 * An optimisation must not change a single byte. A deliberate change of the simulator's behaviour
 * (a new Celery rule) re-records them: `UPDATE_SIM_FINGERPRINTS=1 npx vitest run tests/sim/fingerprints.test.ts`.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbPlannableCanvasFile } from '@/lib/engine/arbPlannable';
import { type RunView, reduceRun, reduceRunAll } from '@/lib/protocol/reduceRun';
import { toReport } from '@/lib/protocol/toReport';
import { simulate, simulateReport } from '@/lib/sim/simulate';
import { catalogue } from '@/lib/sim/testing/harness';

const FILE = fileURLToPath(new URL('./fingerprints.json', import.meta.url));
const SCENARIOS = [undefined, 'flaky', 'partial_fail'] as const;

function fingerprints(): string[] {
  const files = fc.sample(arbPlannableCanvasFile(), { seed: 42, numRuns: 150 });
  const out: string[] = [];
  files.forEach((file, i) => {
    for (const scenario of SCENARIOS) {
      const r = simulate(file, {
        catalogue,
        seed: i + 1,
        workers: 1 + (i % 3),
        concurrency: 1 + (i % 4),
        ...(scenario ? { scenario } : {}),
      });
      const json = JSON.stringify([r.events, r.report, r.critical_path]);
      out.push(createHash('sha1').update(json).digest('hex'));
      // The streamed path (trace folded as it happens, the CLI's) gives the same report, byte for byte.
      const streamed = simulateReport(file, {
        catalogue,
        seed: i + 1,
        workers: 1 + (i % 3),
        concurrency: 1 + (i % 4),
        ...(scenario ? { scenario } : {}),
      });
      if (
        JSON.stringify([streamed.report, streamed.critical_path]) !==
        JSON.stringify([r.report, r.critical_path])
      )
        out.push(`streamed report differs in case ${out.length - 1}`);
    }
  });
  return out;
}

describe('simulator outputs, byte for byte', () => {
  it('every random canvas and seed gives the recorded events, report and critical path', {
    timeout: 120_000,
  }, () => {
    const now = fingerprints();
    if (process.env.UPDATE_SIM_FINGERPRINTS === '1') writeFileSync(FILE, `${JSON.stringify(now, null, 0)}\n`);
    const recorded = JSON.parse(readFileSync(FILE, 'utf8')) as string[];
    const changed = now.flatMap((h, i) => (h === recorded[i] ? [] : [i]));
    expect(changed, 'cases whose simulate() output changed (canvas index × 3 + scenario)').toEqual([]);
    expect(now).toHaveLength(recorded.length);
  });

  it('the batch reducer (fixed-shape views) reports exactly what the one-event reducer reports', {
    timeout: 60_000,
  }, () => {
    const files = fc.sample(arbPlannableCanvasFile(), { seed: 7, numRuns: 60 });
    files.forEach((file, i) => {
      const { events } = simulate(file, { catalogue, seed: i + 3, scenario: 'flaky' });
      let view: RunView | undefined;
      for (const e of events) view = reduceRun(view, e);
      expect(view).toBeDefined();
      expect(JSON.stringify(toReport(reduceRunAll(events)))).toBe(JSON.stringify(toReport(view as RunView)));
    });
  });
});
