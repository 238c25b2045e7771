/**
 * Fusion's choice (worker.ts `runHere`): which continuation of a step a worker runs inside the job it
 * is running instead of adding a job for it.
 */
import type { Dispatch, RunPlan, Step } from '../../lib/engine/types';
import { queueOf } from './queues';

/**
 * The single task `step` dispatches, when a worker consuming `queues` may run it inline: no delay, no
 * children, under a barrier that is an ancestor of the running job (the message's own barrier: a
 * chain's next step, or for a release the barrier's parent), on one of `queues`, its run not `canceled`.
 */
export function inlineContinuation(
  plan: RunPlan,
  step: Step,
  queues: ReadonlySet<string>,
  canceled: ReadonlySet<string>,
): Dispatch | undefined {
  if (step.dispatch.length !== 1 || step.finish) return undefined;
  const d = step.dispatch[0];
  if (d?.message.kind !== 'task' || d.delay_ms > 0 || d.children?.length) return undefined;
  if (d.parentBarrier === null || d.parentBarrier !== d.message.barrier) return undefined;
  if (!queues.has(queueOf(plan, d.message))) return undefined;
  if (canceled.has(d.message.run_id)) return undefined;
  return d;
}
