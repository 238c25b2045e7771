/**
 * A test hook for the crash tests (crash.int.test.ts): `CHORDFLOW_CRASH_POINTS=added:0.05,released:0.1`
 * makes a worker process SIGKILL itself at those points of a job, each time with that probability —
 * the exact places where a real crash is hardest on the barrier reasoning (after the store writes,
 * after the continuation adds, after the completion script, before BullMQ completes the job).
 * Unset (always, outside tests) it costs one Map lookup.
 */
export type CrashPoint = 'flushed' | 'added' | 'completed' | 'released';

function parse(spec: string | undefined): Map<string, number> {
  const points = new Map<string, number>();
  for (const part of (spec ?? '').split(',')) {
    const [name, p] = part.split(':');
    if (name && Number(p) > 0) points.set(name.trim(), Number(p));
  }
  return points;
}

const POINTS = parse(process.env.CHORDFLOW_CRASH_POINTS);

/** Kills this process at `point` with the configured probability (never when unset). */
export function crashPoint(point: CrashPoint): void {
  const p = POINTS.get(point);
  if (p !== undefined && Math.random() < p) process.kill(process.pid, 'SIGKILL');
}
