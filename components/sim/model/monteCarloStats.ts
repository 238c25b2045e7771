/**
 * Statistics of many simulated runs (the what-if view): success rate, makespan percentiles, retry load
 * and the histogram the view draws.
 */

/** What one simulated run contributes to the statistics. */
export interface RunSample {
  seed: number;
  status: 'success' | 'failure' | 'canceled';
  makespan_ms: number;
  /** Retries performed in the run (attempts beyond the first, summed over tasks). */
  retries: number;
}

export interface HistogramBin {
  from: number;
  to: number;
  success: number;
  failure: number;
}

export interface MonteCarloSummary {
  runs: number;
  successRate: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  retriesMean: number;
  retriesMax: number;
  histogram: HistogramBin[];
}

/** Nearest-rank percentile of an ascending array (`q` in 0..1). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/**
 * Summarises samples into `bins` equal-width makespan bins. When every run has the same makespan
 * there is one bin.
 */
export function summarizeRuns(
  samples: readonly RunSample[],
  bins = 30,
  range?: { min: number; max: number },
): MonteCarloSummary {
  const sorted = samples.map((s) => s.makespan_ms).sort((a, b) => a - b);
  const min = range?.min ?? sorted[0] ?? 0;
  const max = range?.max ?? sorted[sorted.length - 1] ?? 0;
  const width = max > min ? (max - min) / bins : 0;
  const histogram: HistogramBin[] = [];
  const count = width > 0 ? bins : 1;
  for (let i = 0; i < count; i += 1) {
    histogram.push({
      from: min + i * width,
      to: width > 0 ? min + (i + 1) * width : max,
      success: 0,
      failure: 0,
    });
  }
  let ok = 0;
  let retries = 0;
  let retriesMax = 0;
  let total = 0;
  for (const s of samples) {
    const i = width > 0 ? Math.min(count - 1, Math.max(0, Math.floor((s.makespan_ms - min) / width))) : 0;
    const bin = histogram[i];
    if (bin) {
      if (s.status === 'success') bin.success += 1;
      else bin.failure += 1;
    }
    if (s.status === 'success') ok += 1;
    retries += s.retries;
    if (s.retries > retriesMax) retriesMax = s.retries;
    total += s.makespan_ms;
  }
  const n = samples.length;
  return {
    runs: n,
    successRate: n ? ok / n : 0,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    mean: n ? total / n : 0,
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    retriesMean: n ? retries / n : 0,
    retriesMax,
    histogram,
  };
}
