import { describe, expect, it } from 'vitest';
import { mergeBars } from './mergeBars';
import type { AttemptBar } from './timeline';

const bar = (
  index: number,
  lane: number,
  start: number,
  end: number,
  outcome: AttemptBar['outcome'] = 'success',
): AttemptBar => ({
  index,
  task_id: `t${index}`,
  name: 'add',
  attempt: 1,
  worker: 'w',
  lane,
  start,
  end,
  outcome,
});

describe('mergeBars', () => {
  it('joins touching bars of one outcome per lane and keeps failures and gaps apart', () => {
    const bars = [
      bar(0, 0, 0, 10),
      bar(1, 0, 10, 20),
      bar(2, 0, 20, 30, 'failure'),
      bar(3, 0, 30, 40),
      bar(4, 1, 0, 5),
      bar(5, 0, 100, 110),
    ];
    const merged = mergeBars(bars, 1);
    expect(merged.map((m) => [m.first.lane, m.start, m.end, m.count, m.first.outcome])).toEqual([
      [0, 0, 20, 2, 'success'],
      [0, 20, 30, 1, 'failure'],
      [0, 30, 40, 1, 'success'],
      [0, 100, 110, 1, 'success'],
      [1, 0, 5, 1, 'success'],
    ]);
    // Zoomed far out the gap is under a pixel: one strip.
    expect(mergeBars([bar(0, 0, 0, 10), bar(1, 0, 50, 60)], 0.01)).toHaveLength(1);
  });
});
