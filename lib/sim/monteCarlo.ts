/**
 * Monte Carlo: many seeded runs of one plan → success rate, makespan percentiles, retry load and a
 * makespan histogram; `compareVariants` runs two canvases on the same seeds ("what if").
 */
import type { CanvasFile } from '../canvas/model';
import { planForSimulation, type SimulateOptions, simulatePlan } from './simulate';

export interface MonteCarloOptions extends Omit<SimulateOptions, 'seed'> {
  runs: number;
  /** First seed; run i uses seed + i. */
  seed?: number;
  /** Histogram buckets (default 20). */
  buckets?: number;
}

export interface MonteCarloStats {
  runs: number;
  success_rate: number;
  makespan_ms: { p50: number; p95: number; p99: number; mean: number; min: number; max: number };
  retries: { mean: number; total: number };
  histogram: Array<{ from_ms: number; to_ms: number; count: number }>;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function histogram(sorted: readonly number[], buckets: number): MonteCarloStats['histogram'] {
  const min = sorted[0] ?? 0;
  const max = sorted[sorted.length - 1] ?? 0;
  if (sorted.length === 0) return [];
  if (max === min) return [{ from_ms: min, to_ms: max, count: sorted.length }];
  const width = (max - min) / buckets;
  const out = Array.from({ length: buckets }, (_, i) => ({
    from_ms: min + i * width,
    to_ms: min + (i + 1) * width,
    count: 0,
  }));
  for (const v of sorted) {
    const i = Math.min(buckets - 1, Math.floor((v - min) / width));
    (out[i] as { count: number }).count += 1;
  }
  return out;
}

/** Runs `opts.runs` seeded simulations of `file` (seeds seed, seed+1, …). */
export function monteCarlo(file: CanvasFile, opts: MonteCarloOptions): MonteCarloStats {
  const plan = planForSimulation(file, opts);
  const first = opts.seed ?? 1;
  const makespans: number[] = [];
  let successes = 0;
  let retries = 0;
  for (let i = 0; i < opts.runs; i++) {
    const r = simulatePlan(plan, { ...opts, seed: first + i, trace: false });
    makespans.push(r.makespan_ms);
    if (r.status === 'success') successes += 1;
    retries += r.retries;
  }
  makespans.sort((a, b) => a - b);
  const n = Math.max(1, opts.runs);
  const sum = makespans.reduce((a, b) => a + b, 0);
  return {
    runs: opts.runs,
    success_rate: successes / n,
    makespan_ms: {
      p50: percentile(makespans, 50),
      p95: percentile(makespans, 95),
      p99: percentile(makespans, 99),
      mean: sum / n,
      min: makespans[0] ?? 0,
      max: makespans[makespans.length - 1] ?? 0,
    },
    retries: { mean: retries / n, total: retries },
    histogram: histogram(makespans, opts.buckets ?? 20),
  };
}

/** Two variants on the same seeds, side by side, with the differences b − a. */
export function compareVariants(
  a: CanvasFile,
  b: CanvasFile,
  opts: MonteCarloOptions,
): {
  a: MonteCarloStats;
  b: MonteCarloStats;
  delta: { success_rate: number; p50_ms: number; p95_ms: number; retries_mean: number };
} {
  const sa = monteCarlo(a, opts);
  const sb = monteCarlo(b, opts);
  return {
    a: sa,
    b: sb,
    delta: {
      success_rate: sb.success_rate - sa.success_rate,
      p50_ms: sb.makespan_ms.p50 - sa.makespan_ms.p50,
      p95_ms: sb.makespan_ms.p95 - sa.makespan_ms.p95,
      retries_mean: sb.retries.mean - sa.retries.mean,
    },
  };
}
