/** What releasing a barrier reads: its message from its key, and its header's finals. */
import { barrierInputs } from '../../lib/engine';
import type { BarrierMessage, RunPlan, TaskFinal } from '../../lib/engine/types';
import type { RunStore } from '../runs/runStore';

/** Finals the current job wrote or read, by task id (a release reads only the others from Redis). */
export type Finals = Map<string, TaskFinal>;

const BARRIER_INDEX = new WeakMap<RunPlan, Map<string, number>>();

/** The barrier message of barrier `key` of `plan` (indexes cached per plan: plans are frozen). */
export function barrierMessage(plan: RunPlan, key: string): BarrierMessage {
  let m = BARRIER_INDEX.get(plan);
  if (!m) {
    m = new Map(plan.barriers.map((b, i) => [b.key, i]));
    BARRIER_INDEX.set(plan, m);
  }
  const index = m.get(key);
  const b = index === undefined ? undefined : plan.barriers[index];
  if (index === undefined || !b) throw new Error(`barrier ${key} is not in run ${plan.run_id}'s plan`);
  return { kind: 'barrier', key, run_id: plan.run_id, barrier: index, total: b.total };
}

/**
 * The finals `b`'s release needs (`barrierInputs`, asked again until it wants nothing new: add_to_chord
 * additions), from `memo` where this job already has them, else from the run store (then kept in `memo`).
 */
export async function releaseInputs(
  store: RunStore,
  plan: RunPlan,
  b: BarrierMessage,
  memo: Finals,
): Promise<Finals> {
  const finals: Finals = new Map();
  const lookup = (id: string) => finals.get(id);
  const fetched = new Set<string>();
  let wanted = barrierInputs(plan, b);
  for (;;) {
    const missing: string[] = [];
    let learned = false;
    for (const id of new Set(wanted)) {
      if (fetched.has(id)) continue;
      fetched.add(id);
      learned = true;
      const known = memo.get(id);
      if (known) finals.set(id, known);
      else missing.push(id);
    }
    if (!learned) return finals;
    if (missing.length > 0) {
      const states = await store.getTaskStates<TaskFinal>(b.run_id, missing);
      for (const id of missing) {
        const s = states.get(id);
        if (s) {
          finals.set(id, s);
          // A later release in this job (the root after a chord) may want it again.
          memo.set(id, s);
        }
      }
    }
    wanted = barrierInputs(plan, b, lookup);
  }
}
