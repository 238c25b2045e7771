import { describe, expect, it } from 'vitest';
import type { MonteCarloSummary } from './monteCarloStats';
import { whatIfVerdict } from './verdict';

function summary(successRate: number, p95: number, retriesMean = 1): MonteCarloSummary {
  return {
    runs: 100,
    successRate,
    p50: p95 / 2,
    p95,
    p99: p95 * 1.1,
    mean: p95 / 2,
    min: 0,
    max: p95 * 1.2,
    retriesMean,
    retriesMax: 3,
    histogram: [],
  };
}

describe('what-if verdict', () => {
  it('never colours a 0 % candidate’s faster times green', () => {
    const v = whatIfVerdict(summary(0.9, 10_000), summary(0, 2_000, 0));
    expect(v.overall).toBe('worse');
    expect(v.marks.success).toBe('worse');
    expect([v.marks.p50, v.marks.p95, v.marks.p99, v.marks.retries]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(v.summary).toBe(
      'Worse: success 90.0 % → 0.0 % (−90.0 points); no run succeeds, so its times mean nothing.',
    );
  });

  it('lets success win over a slower makespan', () => {
    const v = whatIfVerdict(summary(0.5, 4_000), summary(1, 9_000));
    expect(v.overall).toBe('better');
    expect(v.marks.p95).toBeUndefined();
    expect(v.summary).toBe('Better: success 50.0 % → 100.0 % (+50.0 points); p95 4.00 s → 9.00 s (+5.00 s).');
  });

  it('compares times when success is the same', () => {
    const v = whatIfVerdict(summary(1, 9_000, 2), summary(1, 4_000, 1));
    expect(v.overall).toBe('better');
    expect(v.marks).toEqual({
      success: undefined,
      p50: 'better',
      p95: 'better',
      p99: 'better',
      retries: 'better',
    });
    expect(v.summary).toContain('same success (100.0 %); p95 9.00 s → 4.00 s (−5.00 s)');
  });

  it('says when neither policy ever succeeds', () => {
    expect(whatIfVerdict(summary(0, 1_000), summary(0, 500)).summary).toContain('No run succeeds');
  });
});
