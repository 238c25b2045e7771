/**
 * `simulate`: one seeded simulated run of a canvas file → the event trace (seq 1..n, the same schema
 * as live runs) and the SPEC 2.3 run report, plus the critical path.
 */
import type { TaskCatalogue } from '../canvas/catalogue';
import type { CanvasFile } from '../canvas/model';
import { planRun } from '../engine/plan';
import type { RunPlan } from '../engine/types';
import type { RunEvent } from '../protocol/events';
import type { RunReport } from '../protocol/report';
import { type LoopResult, runLoop } from './loop';
import { unservedQueues, type WorkerPool } from './pools';
import { createRandom } from './prng';
import { ReportRecorder } from './reportRecorder';
import { isScenario, simModelsFor, usesTutorialTasks, withTutorialScenario } from './scenarios';

export interface SimulateOptions {
  catalogue: TaskCatalogue;
  seed?: number;
  workers?: number;
  concurrency?: number;
  /** Worker pools per queue (`chordflow simulate --workers default=2x8,gpu=1x1`); replaces workers × concurrency. */
  pools?: readonly WorkerPool[];
  /** `happy|flaky|slow|down|partial_fail` (the seed's for tutorial tasks, generic presets otherwise). */
  scenario?: string;
  /** Run id of the trace (default `sim`). */
  run_id?: string;
  /** Epoch ms the simulated run starts at: places absolute `eta`/`expires` options (callers pass now). */
  epoch_ms?: number;
}

export interface SimulationResult {
  events: RunEvent[];
  report: RunReport;
  /** Task ids from the first to the last finishing task along what enabled each (virtual time). */
  critical_path: string[];
}

/** Defaults: 1 worker × 4 slots (the seed's prefork pool on a 4-CPU machine), seed 1. */
export const SIM_DEFAULTS = { seed: 1, workers: 1, concurrency: 4 } as const;

/** Plans a file for simulation, applying a tutorial scenario to the tasks' payloads. */
export function planForSimulation(
  file: CanvasFile,
  opts: Pick<SimulateOptions, 'catalogue' | 'scenario' | 'run_id' | 'epoch_ms'>,
): RunPlan {
  if (opts.scenario !== undefined && !isScenario(opts.scenario)) {
    throw new Error(
      `Unknown scenario "${opts.scenario}". Use one of: happy, flaky, slow, down, partial_fail.`,
    );
  }
  const canvas = opts.scenario === undefined ? file.canvas : withTutorialScenario(file.canvas, opts.scenario);
  const at = opts.epoch_ms === undefined ? {} : { epoch_ms: opts.epoch_ms };
  return planRun({ ...file, canvas }, opts.catalogue, opts.run_id ?? 'sim', at);
}

/** Runs a plan once in the loop (shared by `simulate` and Monte Carlo). */
export function simulatePlan(
  plan: RunPlan,
  opts: {
    seed?: number;
    workers?: number;
    concurrency?: number;
    pools?: readonly WorkerPool[];
    scenario?: string;
    trace?: boolean;
    sink?: (event: RunEvent) => void;
    recorder?: ReportRecorder;
    criticalPath?: boolean;
  },
): LoopResult {
  const generic = opts.scenario !== undefined && isScenario(opts.scenario) && !usesTutorialTasks(plan);
  if (opts.pools !== undefined) {
    const unserved = unservedQueues(plan, opts.pools);
    if (unserved.length > 0) {
      const q = unserved[0] as { queue: string; tasks: string[] };
      throw new Error(
        `No worker pool consumes queue "${q.queue}" (${q.tasks.join(', ')}): the run would wait forever. Add one, e.g. ${[...opts.pools.map((p) => `${p.queue}=${p.workers}x${p.concurrency}`), `${q.queue}=1x1`].join(',')}.`,
      );
    }
  }
  return runLoop(plan, {
    workers: opts.workers ?? SIM_DEFAULTS.workers,
    concurrency: opts.concurrency ?? SIM_DEFAULTS.concurrency,
    ...(opts.pools !== undefined ? { pools: opts.pools } : {}),
    random: createRandom(opts.seed ?? SIM_DEFAULTS.seed),
    models: simModelsFor(
      plan,
      generic && opts.scenario !== undefined && isScenario(opts.scenario) ? opts.scenario : undefined,
    ),
    trace: opts.trace ?? true,
    ...(opts.sink !== undefined ? { sink: opts.sink } : {}),
    ...(opts.recorder !== undefined ? { recorder: opts.recorder } : {}),
    ...(opts.criticalPath !== undefined ? { criticalPath: opts.criticalPath } : {}),
  });
}

/**
 * One seeded simulated run of `file`. Same inputs → identical trace. The report is recorded by the
 * loop as it runs (`ReportRecorder`): the same as `toReport(reduceRunAll(events))`, without the fold.
 */
export function simulate(file: CanvasFile, opts: SimulateOptions): SimulationResult {
  const plan = planForSimulation(file, opts);
  const recorder = new ReportRecorder(plan);
  const loop = simulatePlan(plan, { ...opts, recorder });
  return { events: loop.events, report: recorder.report(), critical_path: loop.critical_path };
}

/**
 * `simulate` without the trace: no event is kept or sequenced, the loop records the report in typed
 * arrays as it runs, so memory grows with the tasks, not with the events (the CLI's path;
 * 1,000,000-task canvases). Same report and critical path as `simulate`, byte for byte; with
 * `criticalPath: false` (the CLI, which prints the report only) the critical path is not kept (`[]`).
 */
export function simulateReport(
  file: CanvasFile,
  opts: SimulateOptions & { criticalPath?: boolean },
): { report: RunReport; critical_path: string[] } {
  const plan = planForSimulation(file, opts);
  const recorder = new ReportRecorder(plan);
  const loop = simulatePlan(plan, { ...opts, trace: false, recorder });
  return { report: recorder.report(), critical_path: loop.critical_path };
}
