/**
 * Reading the execution log of the reliability bench's chord bodies (`slow_log`, one line per start and
 * per finish, with the pid). A body that started more than once is classified:
 * - re-execution after a crash (allowed, at-least-once): each earlier execution ran in a process that
 *   was killed, or overlapped a Redis outage (its lock could expire meanwhile), so its job was redelivered;
 * - double trigger (never allowed): an earlier execution ran undisturbed — its job completed, and the
 *   body was dispatched twice.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface BodyExecutions {
  once: number;
  reexecutedAfterCrash: number;
  doubleTriggered: number;
  neverRan: number;
  /** The double-triggered bodies with each execution's pid and start (epoch ms), for diagnosis. */
  doubles: Array<{ tag: string; runs: Array<{ pid: number; at: number }> }>;
}

/** [from, to] epoch ms during which Redis was away (plus the time a lost lock takes to be noticed). */
export type Outage = [number, number];

export function classifyBodies(
  logFile: string,
  tags: string[],
  killedPids: Set<number>,
  outages: Outage[] = [],
): BodyExecutions {
  const starts = new Map<string, Array<{ pid: number; at: number }>>();
  const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  for (const line of text.split('\n')) {
    const [tag, what, pid, at] = line.split(' ');
    if (!tag || what !== 'start') continue;
    const list = starts.get(tag) ?? [];
    list.push({ pid: Number(pid), at: Number(at) });
    starts.set(tag, list);
  }
  const out: BodyExecutions = {
    once: 0,
    reexecutedAfterCrash: 0,
    doubleTriggered: 0,
    neverRan: 0,
    doubles: [],
  };
  for (const tag of tags) {
    const runs = starts.get(tag) ?? [];
    const interrupted = (i: number) => {
      const r = runs[i];
      const next = runs[i + 1];
      if (!r || !next) return false;
      return killedPids.has(r.pid) || outages.some(([from, to]) => from <= next.at && to >= r.at);
    };
    if (runs.length === 0) out.neverRan++;
    else if (runs.length === 1) out.once++;
    else if (runs.slice(0, -1).every((_, i) => interrupted(i))) out.reexecutedAfterCrash++;
    else {
      out.doubleTriggered++;
      out.doubles.push({ tag, runs });
    }
  }
  return out;
}
