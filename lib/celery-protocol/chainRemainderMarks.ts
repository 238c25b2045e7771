/**
 * The chain-remainder marks Celery never writes, for the Celery tracker's run end (lib/celery-protocol/tracker.ts).
 */
import { markRemainder } from '../engine/failure';
import { StepBuilder } from '../engine/step';
import type { RunPlan } from '../engine/types';
import type { UnsequencedRunEvent } from '../protocol/events';
import type { Tracked } from './trackedTask';

/**
 * Chordflow's chain-remainder marks for tasks Celery leaves PENDING for ever (lib/engine/CONTEXT.md,
 * "Where Chordflow deliberately differs": a failure before a chord in a chain, a chord whose header
 * failed inside a chain). Celery's own records already mark plain chain steps; this only fills the
 * steps Celery never settles, with the core's markRemainder, once nothing is in flight any more.
 * Marks the tracked tasks final and returns their `task.failed` events, all dated `at` (run-relative ms).
 */
export function chainRemainderMarks(
  plan: RunPlan,
  byPlan: ReadonlyMap<string, Tracked>,
  at: number,
): UnsequencedRunEvent[] {
  const out: UnsequencedRunEvent[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const tr of byPlan.values()) {
      const err = tr.final?.state === 'FAILURE' ? tr.final.error : undefined;
      if (!err) continue;
      const node = plan.nodes[tr.task.node];
      if (!node || node.next === null) continue;
      const s = new StepBuilder(plan, at);
      markRemainder(s, node.next, err);
      for (const e of s.step.events) {
        if (e.type !== 'task.failed') continue;
        const target = byPlan.get(e.task_id);
        if (!target || target.final) continue;
        target.final = { state: 'FAILURE', error: e.error };
        out.push({ ...e, at });
        changed = true;
      }
    }
  }
  return out;
}
