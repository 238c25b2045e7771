/**
 * The one place the panel calls the simulator (inside the worker, and in unit tests in Node).
 */
import { createCatalogue } from '../../lib/canvas/catalogue';
import type { CanvasFile } from '../../lib/canvas/model';
import type { RunEvent } from '../../lib/protocol/events';
import type { RunReport } from '../../lib/protocol/report';
import { simulate } from '../../lib/sim/simulate';
import type { RunSample } from './model/monteCarloStats';
import type { SimOptions } from './simulationProtocol';

const catalogue = createCatalogue();

/** Simulates one run of `file`. */
export function runOne(file: CanvasFile, options: SimOptions): { events: RunEvent[]; report: RunReport } {
  return simulate(file, {
    catalogue,
    seed: options.seed,
    workers: options.workers,
    concurrency: options.concurrency,
    ...(options.scenario ? { scenario: options.scenario } : {}),
  });
}

/** What a run contributes to Monte Carlo statistics. */
export function sampleOf(seed: number, report: RunReport): RunSample {
  let retries = 0;
  for (const task of report.tasks) retries += Math.max(0, task.attempts - 1);
  return { seed, status: report.status, makespan_ms: report.makespan_ms, retries };
}
