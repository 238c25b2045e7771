/**
 * `bench:engine`'s `ratio_to_celery` line: our figures over Celery's from the same run — best against
 * best (the bar), median against median, and pair by pair for the independent runs (our round i against
 * Celery's round i, taken right after it; celeryRef.ts).
 */
import type { CeleryFigures } from './celeryRef';

/** Our side of the comparison (per second; undefined when its case did not run). */
export interface OurFigures {
  group?: number;
  chord_runs?: number;
  chord_runs_median?: number;
  chain?: number;
}

/** The `ratio_to_celery` record. `ourRoundsMs` of `runsPerRound` runs each, `celeryRoundsS` in seconds. */
export function celeryRatios(
  ours: OurFigures,
  c: CeleryFigures,
  pairs: { ourRoundsMs: readonly number[]; runsPerRound: number; celeryRoundsS: readonly number[] },
): Record<string, unknown> {
  const ratio = (x: number | undefined, y: number) =>
    x === undefined ? undefined : Number((x / y).toFixed(2));
  const runsRatio = ratio(ours.chord_runs, c.chords_per_s);
  const chainRatio = ratio(ours.chain, c.chain_steps_per_s);
  const { ourRoundsMs, runsPerRound, celeryRoundsS } = pairs;
  const paired =
    ourRoundsMs.length === celeryRoundsS.length && ours.chord_runs !== undefined
      ? ourRoundsMs.map((ms, i) =>
          Number(
            (((runsPerRound / ms) * 1000) / (c.sizes.chords / (celeryRoundsS[i] ?? Number.NaN))).toFixed(2),
          ),
        )
      : [];
  return {
    case: 'ratio_to_celery',
    group: ratio(ours.group, c.group_tasks_per_s),
    small_chord_runs: runsRatio,
    // Median against median too: both sides' rounds are listed, the bar is read on the best of each.
    small_chord_runs_median: ratio(ours.chord_runs_median, c.chords_median_per_s),
    ...(paired.length > 0
      ? {
          small_chord_runs_paired: paired,
          small_chord_runs_paired_median: [...paired].sort((a, b) => a - b)[Math.floor(paired.length / 2)],
        }
      : {}),
    chain: chainRatio,
    bars: { small_chord_runs: 10, chain: 10 },
    met: {
      small_chord_runs: runsRatio === undefined ? undefined : runsRatio >= 10,
      chain: chainRatio === undefined ? undefined : chainRatio >= 10,
    },
  };
}
