'use client';
import { useEffect, useState } from 'react';

/** Milliseconds since the run started (wall clock), ticking every 250 ms while it runs. */
export function useLiveClock(startedMs: number | undefined, running: boolean): number | undefined {
  const [now, setNow] = useState<number | undefined>(undefined);
  useEffect(() => {
    if (!startedMs) return;
    setNow(Date.now() - startedMs);
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now() - startedMs), 250);
    return () => clearInterval(timer);
  }, [startedMs, running]);
  return now;
}
