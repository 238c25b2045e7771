/**
 * The what-if verdict: is the candidate policy better than the current one? Success decides first —
 * a faster makespan is worth nothing when fewer runs succeed — and times only count between variants
 * that succeed equally often. Pure (the view colours the stats and prints the summary line).
 */
import type { MonteCarloSummary } from './monteCarloStats';
import { formatMs } from './runState';

export type Mark = 'better' | 'worse' | undefined;

export interface Verdict {
  overall: 'better' | 'worse' | 'same';
  /** One line saying what differs, success first. */
  summary: string;
  /** Colour of each stat of the candidate (undefined = neutral). */
  marks: { success: Mark; p50: Mark; p95: Mark; p99: Mark; retries: Mark };
}

/** Success rates closer than this (absolute) count as equal: sampling noise, not a difference. */
const SAME_RATE = 1e-9;

function cmp(candidate: number, current: number, higherIsBetter: boolean): Mark {
  if (Math.abs(candidate - current) < 1e-9) return undefined;
  return candidate > current === higherIsBetter ? 'better' : 'worse';
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}

function signedMs(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${formatMs(Math.abs(ms))}`;
}

/** Compares a candidate's Monte Carlo summary with the current policy's (same seeds). */
export function whatIfVerdict(current: MonteCarloSummary, candidate: MonteCarloSummary): Verdict {
  const rateDelta = candidate.successRate - current.successRate;
  const success: Mark = Math.abs(rateDelta) < SAME_RATE ? undefined : rateDelta > 0 ? 'better' : 'worse';
  // Times compare like with like only when both variants succeed equally often and some runs succeed;
  // otherwise a 0 % candidate that "fails fast" would look quick.
  const timesCount = success === undefined && candidate.successRate > 0;
  const time = (a: number, b: number): Mark => (timesCount ? cmp(a, b, false) : undefined);
  const marks = {
    success,
    p50: time(candidate.p50, current.p50),
    p95: time(candidate.p95, current.p95),
    p99: time(candidate.p99, current.p99),
    retries: timesCount ? cmp(candidate.retriesMean, current.retriesMean, false) : undefined,
  };
  const p95Delta = candidate.p95 - current.p95;
  const times = `p95 ${formatMs(current.p95)} → ${formatMs(candidate.p95)} (${signedMs(p95Delta)})`;
  const retries = `retries/run ${current.retriesMean.toFixed(2)} → ${candidate.retriesMean.toFixed(2)}`;
  let overall: Verdict['overall'];
  let summary: string;
  if (success !== undefined) {
    overall = success;
    const points = `${rateDelta > 0 ? '+' : '−'}${Math.abs(rateDelta * 100).toFixed(1)} points`;
    summary =
      `${success === 'better' ? 'Better' : 'Worse'}: success ${pct(current.successRate)} → ` +
      `${pct(candidate.successRate)} (${points})` +
      (candidate.successRate === 0 ? '; no run succeeds, so its times mean nothing.' : `; ${times}.`);
  } else if (candidate.successRate === 0) {
    overall = 'same';
    summary = 'No run succeeds with either policy: change what fails, not the retries.';
  } else {
    overall = marks.p95 ?? marks.p50 ?? marks.retries ?? 'same';
    summary =
      overall === 'same'
        ? `Same success (${pct(candidate.successRate)}) and the same times.`
        : `${overall === 'better' ? 'Better' : 'Worse'}: same success (${pct(candidate.successRate)}); ${times}; ${retries}.`;
  }
  return { overall, summary, marks };
}
