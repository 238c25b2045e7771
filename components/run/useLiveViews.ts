'use client';
/**
 * Keeping a big live run inside the frame budget. Events arrive batched per frame (`useLiveRun`); the
 * node states are folded incrementally (only the new events each frame, never the whole log again),
 * and the views that redraw every task (Gantt, task table, prediction, event log) follow a throttled
 * copy of the log whose interval grows with the run's size.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunEvent } from '@/lib/protocol/events';
import { createRunCursor, type RunCursor, type RunStateAt } from '../sim/model/runState';

/**
 * The run state at `t` from an append-only event log: each new array that extends the previous one
 * applies only its new events (a log that is not an extension starts over).
 */
export function useIncrementalRunState(events: readonly RunEvent[], t: number): RunStateAt {
  const ref = useRef<{ log: RunEvent[]; cursor: RunCursor } | null>(null);
  return useMemo(() => {
    let c = ref.current;
    const n = c?.log.length ?? 0;
    const extends_ = c !== null && events.length >= n && (n === 0 || events[n - 1] === c.log[n - 1]);
    if (c === null || !extends_) {
      const log = [...events];
      c = { log, cursor: createRunCursor(log) };
      ref.current = c;
    } else for (let i = n; i < events.length; i++) c.log.push(events[i]!);
    return c.cursor.at(t);
  }, [events, t]);
}

/** How often (ms) views of every task follow a live log of `n` events. */
export function liveViewInterval(n: number): number {
  if (n < 2_000) return 0;
  if (n < 10_000) return 250;
  return 1_000;
}

/**
 * How often (ms) the graph's states follow a live log of `n` events: every frame for ordinary runs; at
 * 10 Hz for very big ones (each fold copies the state of every task).
 */
export function liveGraphInterval(n: number): number {
  return n < 5_000 ? 0 : 100;
}

/**
 * `value`, updated at most every `liveViewInterval(size)` ms while `live` (the latest value is always
 * delivered, at the end of the interval); immediately when not live.
 */
export function useThrottledLive<T>(
  value: T,
  size: number,
  live: boolean,
  intervalOf: (n: number) => number = liveViewInterval,
): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  const latest = useRef(value);
  latest.current = value;
  const interval = live ? intervalOf(size) : 0;
  useEffect(() => {
    if (interval === 0) {
      last.current = performance.now();
      setShown(value);
      return;
    }
    const wait = Math.max(0, last.current + interval - performance.now());
    const timer = setTimeout(() => {
      last.current = performance.now();
      setShown(() => latest.current);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, interval]);
  return interval === 0 ? value : shown;
}
