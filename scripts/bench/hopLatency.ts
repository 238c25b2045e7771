/**
 * A chain's hop latency from its run report: each step's start minus the previous step's end, in ms (the
 * report's resolution), as `bench:engine`'s chain line prints it.
 */
import type { RunReport } from '../../lib/protocol/report';

export function hopLatency(report: RunReport): {
  hop_ms_p50: number;
  hop_ms_p99: number;
  hop_ms_max: number;
} {
  const steps = report.tasks
    .filter((t) => t.started_at !== undefined && t.finished_at !== undefined)
    .sort((a, b) => (a.started_at ?? 0) - (b.started_at ?? 0));
  const hops: number[] = [];
  for (let i = 1; i < steps.length; i++)
    hops.push((steps[i]?.started_at ?? 0) - (steps[i - 1]?.finished_at ?? 0));
  hops.sort((a, b) => a - b);
  const pct = (p: number) => hops[Math.min(hops.length - 1, Math.floor(hops.length * p))] ?? 0;
  return { hop_ms_p50: pct(0.5), hop_ms_p99: pct(0.99), hop_ms_max: hops[hops.length - 1] ?? 0 };
}
