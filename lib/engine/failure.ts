/**
 * Failure handling shared by task failures and chord header failures: Celery's chain-remainder marks
 * (celery-semantics.md 4.2) and errback calls (3): new style in-process, old style dispatched.
 */
import type { Json } from '../canvas/model';
import type { TaskError } from '../protocol/events';
import type { StepBuilder } from './step';
import { executeTask } from './tasks';
import type { PlanNode, PlanTask } from './types';
import { valueLeaves } from './values';

/** Celery marks every remaining chain step FAILURE with the same exception (descending into chords). */
export function markRemainder(s: StepBuilder, start: number | null, error: TaskError): void {
  const plan = s.plan;
  let index = start;
  while (index !== null) {
    const node = plan.nodes[index] as PlanNode;
    if (node.kind === 'chain') {
      const first = node.steps[0];
      index = first ?? node.next;
      continue;
    }
    for (const leaf of valueLeaves(plan, index)) s.markFailed(plan.tasks[leaf] as PlanTask, leaf, error);
    index = node.next;
  }
}

/**
 * Calls the errbacks of a failure (celery-semantics.md 3): new style in-process with
 * `(request, exc, traceback)` (exceptions swallowed), old style dispatched with the failed id prepended.
 */
export function callErrbacks(
  s: StepBuilder,
  errbacks: readonly number[],
  request: { id: string; task: string; args: Json[]; kwargs: Json; retries: number },
  error: TaskError,
): void {
  const plan = s.plan;
  for (const eb of errbacks) {
    const node = plan.nodes[eb] as PlanNode;
    const ebTask = node.kind === 'task' ? (plan.tasks[node.task] as PlanTask) : undefined;
    if (ebTask !== undefined && ebTask.errback_style === 'new') {
      s.event({
        run_id: s.plan.run_id,
        at: s.now,
        type: 'errback.called',
        task_id: ebTask.id,
        errback: ebTask.name,
        style: 'new',
        failed_task_id: request.id,
      });
      const exc: Json =
        error.args === undefined
          ? { type: error.type, message: error.message }
          : { type: error.type, message: error.message, args: error.args };
      const args = ebTask.immutable ? ebTask.args : [request, exc, null, ...ebTask.args];
      const result = executeTask(undefined, {
        id: ebTask.id,
        name: ebTask.name,
        args,
        kwargs: ebTask.kwargs,
        retries: 0,
        max_retries: ebTask.options.max_retries,
        in_chord: false,
      });
      // Effects and exceptions of an inline errback are not performed/propagated (Celery logs and swallows).
      if (result.kind !== 'effect') {
        for (const observation of result.observations ?? [])
          s.event({ run_id: s.plan.run_id, at: s.now, type: 'observation', observation });
      }
      continue;
    }
    const name = ebTask?.name ?? 'canvas';
    s.event({
      run_id: s.plan.run_id,
      at: s.now,
      type: 'errback.called',
      task_id: ebTask?.id ?? request.id,
      errback: name,
      style: 'old',
      failed_task_id: request.id,
    });
    s.apply(eb, [request.id], {});
  }
}
