/**
 * Gantt bars merged for big runs (issue 13: timelines aggregate like the graph): per lane, consecutive
 * attempts of one outcome less than a pixel and a half apart at the current scale become one strip.
 * Pure; `Timeline` draws the strips when thousands of bars are in view.
 */
import type { AttemptBar } from './timeline';

export interface MergedBar {
  /** The strip's first attempt (its lane, outcome and click target). */
  first: AttemptBar;
  start: number;
  end: number;
  /** Attempts in the strip. */
  count: number;
}

/**
 * Bars merged per lane: consecutive bars of one outcome less than a pixel apart become one rect (a
 * density strip of the lane), so a 10,000-attempt run is a few hundred elements, not 10,000.
 */
export function mergeBars(bars: readonly AttemptBar[], scale: number): MergedBar[] {
  const byLane = new Map<number, AttemptBar[]>();
  for (const b of bars) {
    const list = byLane.get(b.lane);
    if (list) list.push(b);
    else byLane.set(b.lane, [b]);
  }
  const out: MergedBar[] = [];
  for (const list of byLane.values()) {
    list.sort((a, b) => a.start - b.start);
    let cur: MergedBar | null = null;
    for (const b of list) {
      if (cur && cur.first.outcome === b.outcome && (b.start - cur.end) * scale < 1.5) {
        cur.end = Math.max(cur.end, b.end);
        cur.count += 1;
      } else {
        if (cur) out.push(cur);
        cur = { first: b, start: b.start, end: b.end, count: 1 };
      }
    }
    if (cur) out.push(cur);
  }
  return out;
}
