/**
 * The one place the panel calls the simulator (inside the worker, and in unit tests in Node).
 */
import { createCatalogue } from '../../lib/canvas/catalogue';
import type { CanvasFile } from '../../lib/canvas/model';
import type { RunPlan } from '../../lib/engine/types';
import { planForSimulation, type SimulationResult, simulate, simulatePlan } from '../../lib/sim';
import type { RunSample } from './model/monteCarloStats';
import type { SimOptions } from './simulationProtocol';

const catalogue = createCatalogue();

function scenarioOf(options: SimOptions): { scenario?: string } {
  return options.scenario ? { scenario: options.scenario } : {};
}

/** Simulates one run of `file` (full trace, report, critical path). */
export function runOne(file: CanvasFile, options: SimOptions): SimulationResult {
  return simulate(file, {
    catalogue,
    seed: options.seed,
    workers: options.workers,
    concurrency: options.concurrency,
    // Absolute eta/expires options are placed on a run starting now.
    epoch_ms: Date.now(),
    ...scenarioOf(options),
  });
}

/** Plans `file` once for many seeded runs. */
export function planVariant(file: CanvasFile, options: SimOptions): RunPlan {
  return planForSimulation(file, { catalogue, epoch_ms: Date.now(), ...scenarioOf(options) });
}

/** One seeded run of a planned variant without its trace (Monte Carlo). */
export function sampleRun(plan: RunPlan, options: SimOptions, seed: number): RunSample {
  const r = simulatePlan(plan, {
    seed,
    workers: options.workers,
    concurrency: options.concurrency,
    ...scenarioOf(options),
    trace: false,
  });
  return { seed, status: r.status, makespan_ms: r.makespan_ms, retries: r.retries };
}
