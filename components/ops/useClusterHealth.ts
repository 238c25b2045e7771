'use client';
import { useEffect, useState } from 'react';
import type { HealthView } from './clusterAttention';

export interface ClusterHealthState {
  health: (HealthView & Record<string, unknown>) | null;
  error?: string;
  /** Epoch ms of the last answer. */
  at: number;
}

/**
 * Polls GET /api/health every `everyMs` (every second while something is wrong, so the banner clears
 * itself as soon as the cluster recovers).
 */
export function useClusterHealth(everyMs = 5000): ClusterHealthState {
  const [state, setState] = useState<ClusterHealthState>({ health: null, at: 0 });
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      let next = everyMs;
      try {
        const r = await fetch('/api/health', { cache: 'no-store' });
        const health = (await r.json()) as ClusterHealthState['health'];
        if (!stop) setState({ health, at: Date.now() });
        if (health?.redis !== 'ok' || !(health.workers?.count ?? 0)) next = 1000;
      } catch (err) {
        if (!stop)
          setState((s) => ({
            health: null,
            error: err instanceof Error ? err.message : String(err),
            at: s.at,
          }));
        next = 1000;
      }
      if (!stop) timer = setTimeout(() => void tick(), next);
    };
    void tick();
    return () => {
      stop = true;
      if (timer) clearTimeout(timer);
    };
  }, [everyMs]);
  return state;
}
