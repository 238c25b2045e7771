/**
 * The one place the panel calls the simulator (inside the worker, and in unit tests in Node).
 */
import { type CatalogueEntry, createCatalogue, type TaskCatalogue } from '../../lib/canvas/catalogue';
import type { CanvasFile } from '../../lib/canvas/model';
import type { RunPlan } from '../../lib/engine/types';
import { planForSimulation, type SimulationResult, simulate, simulatePlan } from '../../lib/sim';
import type { RunSample } from './model/monteCarloStats';
import type { SimOptions } from './simulationProtocol';

const builtins = createCatalogue();
let cached: { tasks: readonly CatalogueEntry[]; catalogue: TaskCatalogue } | undefined;

/** The built-ins plus the user's tasks the page sent (the server already refused name clashes). */
function catalogueOf(options: SimOptions): TaskCatalogue {
  const tasks = options.tasks;
  if (!tasks || tasks.length === 0) return builtins;
  if (cached?.tasks !== tasks) {
    cached = { tasks, catalogue: createCatalogue(tasks.map((t) => ({ ...t, override: true }))) };
  }
  return cached.catalogue;
}

function scenarioOf(options: SimOptions): { scenario?: string } {
  return options.scenario ? { scenario: options.scenario } : {};
}

function poolsOf(options: SimOptions) {
  return options.pools && options.pools.length > 0 ? { pools: options.pools } : {};
}

/** Simulates one run of `file` (full trace, report, critical path). */
export function runOne(file: CanvasFile, options: SimOptions): SimulationResult {
  return simulate(file, {
    catalogue: catalogueOf(options),
    seed: options.seed,
    workers: options.workers,
    concurrency: options.concurrency,
    ...poolsOf(options),
    // Absolute eta/expires options are placed on a run starting now.
    epoch_ms: Date.now(),
    ...scenarioOf(options),
  });
}

/** Plans `file` once for many seeded runs. */
export function planVariant(file: CanvasFile, options: SimOptions): RunPlan {
  return planForSimulation(file, {
    catalogue: catalogueOf(options),
    epoch_ms: Date.now(),
    ...scenarioOf(options),
  });
}

/** One seeded run of a planned variant without its trace (Monte Carlo). */
export function sampleRun(plan: RunPlan, options: SimOptions, seed: number): RunSample {
  const r = simulatePlan(plan, {
    seed,
    workers: options.workers,
    concurrency: options.concurrency,
    ...poolsOf(options),
    ...scenarioOf(options),
    trace: false,
  });
  return { seed, status: r.status, makespan_ms: r.makespan_ms, retries: r.retries };
}
