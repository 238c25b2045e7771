/**
 * Conformance of the simulator (one semantic core, lib/engine) with a REAL Celery worker.
 *
 * Every canvas runs twice: on Celery 5.2.6 (threads pool, concurrency 8, Redis broker and result
 * backend on a private redis-server; the 5.6.2 composition methods installed, tests/celery/
 * celery56_compat.py) with the SPEC 2.2 built-in tasks written in Python (celery_app.py), and through
 * `simulate()`. Compared: stored state, value and error (type + message) of every canvas task, the
 * top-level outcome, observations (multisets where Celery's order is not deterministic) and every
 * executed task message (name, args, kwargs, outcome). See compare.ts.
 *
 * Ids: every task of the canvas tree gets an id label (`k<case>-n<i>`) on both sides; callbacks and
 * errbacks (copied by Celery) are compared through executions and observations.
 *
 * Run: `npx vitest run --project integration tests/conformance` (about 22 s on 2 cores).
 * `CHORDFLOW_CONFORMANCE_PYTHON=/path/to/python` runs the worker with another Celery (e.g. a venv with
 * 5.6.x); then the cases excluded as 5.2-only differences (cases.ts EXCLUDED_52) run too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasFileFromJson, nodeToCanvasJson } from '@/lib/canvas/canvasJson';
import { createCatalogue } from '@/lib/canvas/catalogue';
import type { CanvasFile } from '@/lib/canvas/model';
import { PlanError } from '@/lib/engine';
import { simulate } from '@/lib/sim';
import { type Deviation, EXCLUDED_52, HAND_CASES, type HandCase } from './cases';
import type { CeleryCase, CeleryRun, CeleryWorker } from './celeryWorker';
import { startCeleryWorker } from './celeryWorker';
import { type Comparable, type CompareOptions, fromCelery, fromSimulation, labelTasks } from './compare';
import { OPTION_CASES } from './optionCases';
import { randomFiles } from './randomCases';

const catalogue = createCatalogue();

interface Prepared {
  name: string;
  minElapsedMs?: number;
  deviation?: Deviation;
  file: CanvasFile;
  ids: string[];
  opts: CompareOptions;
  celery: CeleryCase;
}

function prepare(
  name: string,
  raw: CanvasFile,
  opts: CompareOptions,
  index: number,
  deviation?: Deviation,
): Prepared {
  const { file, ids } = labelTasks(raw, `k${String(index).padStart(2, '0')}-`);
  return {
    name,
    ...(deviation ? { deviation } : {}),
    file,
    ids,
    opts,
    celery: {
      name,
      canvas: nodeToCanvasJson(file.canvas),
      invoke: file.invoke,
      allow_header: file.config.task_allow_error_cb_on_chord_header,
      ids,
    },
  };
}

/**
 * The simulator's run in the comparable shape. A canvas whose apply raises (Celery's argument check,
 * Task.typing) has no run: the caller gets the TypeError and nothing is sent, as with Celery.
 */
function simulateComparable(file: CanvasFile, ids: string[], opts: CompareOptions): Comparable {
  try {
    return fromSimulation(simulate(file, { catalogue, workers: 1, concurrency: 8, seed: 7 }), ids, opts);
  } catch (err) {
    if (!(err instanceof PlanError) || err.error === undefined) throw err;
    const states: Comparable['states'] = {};
    for (const id of ids) states[id] = { state: 'PENDING' };
    const error = { type: err.error.type, message: err.error.message };
    return { states, top: { status: 'apply-error', error }, observations: [], executions: [] };
  }
}

function parse(json: unknown): CanvasFile {
  const r = canvasFileFromJson(json);
  if (!r.ok) throw new Error(`bad case: ${JSON.stringify(r.problems)}`);
  return r.value;
}

/** With another interpreter (a newer Celery), the cases excluded as 5.2-only differences run too. */
const CASES: HandCase[] = process.env.CHORDFLOW_CONFORMANCE_PYTHON
  ? [
      ...HAND_CASES,
      ...OPTION_CASES,
      ...EXCLUDED_52.map(({ name, json }) => ({ name: `[5.2 differs] ${name}`, json })),
    ]
  : [...HAND_CASES, ...OPTION_CASES];

const PREPARED: Prepared[] = [
  ...CASES.map(({ name, json, deviation, minElapsedMs, ...opts }, i) => ({
    ...prepare(name, parse(json), opts, i, deviation),
    ...(minElapsedMs !== undefined ? { minElapsedMs } : {}),
  })),
  ...randomFiles(14, catalogue).map((f, i) =>
    prepare(`random #${i + 1}`, f, { unorderedArgsOf: [] }, CASES.length + i),
  ),
];

describe('simulator conformance with a real Celery worker', () => {
  let worker: CeleryWorker | undefined;
  let runs: CeleryRun[] = [];

  beforeAll(async () => {
    worker = await startCeleryWorker();
    runs = await worker.run(PREPARED.map((p) => p.celery));
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
  });

  it.each(PREPARED.map((p, i) => ({ ...p, i })))(
    '$name',
    ({ i, file, ids, opts, deviation, minElapsedMs }) => {
      const run = runs[i];
      if (run === undefined) throw new Error('Celery returned no run for this case.');
      expect(run.error, 'the Celery runner failed on this canvas').toBeUndefined();
      expect(run.settled, 'Celery did not settle within the timeout').toBe(true);
      const celery = fromCelery(run, opts);
      const ours = simulateComparable(file, ids, opts);
      if (minElapsedMs !== undefined) {
        // A countdown delays both: Celery's wall time and the simulated makespan.
        expect(run.elapsed_s * 1000).toBeGreaterThanOrEqual(minElapsedMs);
        const sim = simulate(file, { catalogue, workers: 1, concurrency: 8, seed: 7 });
        expect(sim.report.makespan_ms).toBeGreaterThanOrEqual(minElapsedMs);
      }
      if (deviation) {
        // A documented deviation: Celery does one thing, Chordflow (following the reference) another.
        deviation.celery(celery, ids);
        deviation.ours(ours, ids);
        return;
      }
      if (opts.compareExecutions === false) {
        ours.executions = [];
        celery.executions = [];
      }
      expect({ canvas: nodeToCanvasJson(file.canvas), ...ours }).toEqual({
        canvas: nodeToCanvasJson(file.canvas),
        ...celery,
      });
    },
  );
});
