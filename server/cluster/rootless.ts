/**
 * Runs without a root job. A run whose canvas is one chord waits, in the core, on two barriers: the
 * chord's header join and the run root, under which the body (and any callback) is dispatched. When the
 * body runs inline in the chord's barrier job (worker.ts) and sends nothing more, the root would be a
 * BullMQ parent with one child that is already done — a whole job (add, fetch, complete, remove) per
 * run for nothing. So such a run starts with the chord's barrier as its top job, and:
 *  - whatever the worker dispatches under the root while that job runs (a body that could not run
 *    inline, an inline body's retry, a callback) creates the root job then, with those messages as its
 *    children, in one flow — added, like every dispatch, before the job that sent them completes;
 *  - if nothing was, the chord's job releases the root itself (the core's `onBarrierReleased` of the
 *    root, so the same run.finished) after the body, before completing — unless a root job exists (an
 *    earlier delivery of the same job created one: that root ends the run).
 * So only that job may ever send under the root: a run qualifies when no task inside the chord's
 * header (at any depth) has a callback or an errback task — those are sent under the root by the
 * member's own job, while the chord's job has not run yet, and a root made then would not wait for it.
 * Everything else a header member sends (chain steps, replacements, add_to_chord additions, nested
 * chords' bodies) goes under the chord's barrier or one inside it.
 */
import type { BarrierMessage, Dispatch, PlanBarrier, RunPlan } from '../../lib/engine/types';

const TOPS = new WeakMap<RunPlan, PlanBarrier | null>();

/** The chord barrier that is a rootless run's top job, when the run qualifies (cached per plan). */
export function rootlessTop(plan: RunPlan): PlanBarrier | undefined {
  let top = TOPS.get(plan);
  if (top === undefined) {
    top = qualifies(plan) ?? null;
    TOPS.set(plan, top);
  }
  return top ?? undefined;
}

function qualifies(plan: RunPlan): PlanBarrier | undefined {
  const top = plan.nodes[plan.top];
  if (top?.kind !== 'chord' || top.next !== null || top.barrier === 0) return undefined;
  const barrier = plan.barriers[top.barrier];
  const root = plan.barriers[0];
  if (!barrier || !root || barrier.parent !== root.key) return undefined;
  for (const t of plan.tasks) {
    if (t.barrier !== root.key && (t.links.length > 0 || t.errbacks.length > 0)) return undefined;
  }
  return barrier;
}

/** The run root's barrier message. */
export function rootMessage(plan: RunPlan): BarrierMessage {
  return { kind: 'barrier', key: plan.barriers[0]?.key ?? '', run_id: plan.run_id, barrier: 0, total: 0 };
}

/**
 * `startRun`'s dispatch for `plan`: the root with its children, or for a rootless run the chord's
 * barrier (with its header) alone, under no parent.
 */
export function startDispatch(plan: RunPlan, dispatch: Dispatch[]): Dispatch[] {
  const top = rootlessTop(plan);
  const root = dispatch[0];
  const only = root?.children?.[0];
  if (!top || dispatch.length !== 1 || root?.children?.length !== 1 || only?.message.key !== top.key)
    return dispatch;
  return [{ ...only, parentBarrier: null }];
}

/**
 * For a rootless run whose root job does not exist yet: the dispatches with those under the root
 * moved into one new root job (a flow), so they have a parent to release.
 */
export function withRoot(plan: RunPlan, dispatch: readonly Dispatch[]): Dispatch[] {
  const rootKey = plan.barriers[0]?.key;
  const under = dispatch.filter((d) => d.parentBarrier === rootKey);
  if (under.length === 0) return [...dispatch];
  const rest = dispatch.filter((d) => d.parentBarrier !== rootKey);
  return [{ message: rootMessage(plan), parentBarrier: null, delay_ms: 0, children: under }, ...rest];
}
