/**
 * One simulated attempt: injected faults (SimModel), the task's real implementation with its effects on
 * the virtual clock (sleep; the modelled model service with the 5 s client timeout), time limits.
 */
import type { SimModel } from '../canvas/model';
import { attemptOf, taskRequest, timeLimitOutcome } from '../engine/core';
import { pyException } from '../engine/python';
import { directTask, executeTask, hasImplementation } from '../engine/tasks';
import { modelServiceCall } from '../engine/tasks/modelService';
import type { AttemptOutcome, PlanTask, RunPlan, TaskMessage } from '../engine/types';
import { sampleDuration } from './duration';
import type { Random } from './prng';

/** An attempt's duration when neither its node nor the catalogue models one. */
export const DEFAULT_DURATION_MS = 5;

function injected(model: SimModel, msg: TaskMessage, random: Random): boolean {
  if (model.down === true) return true;
  if (model.fail_first !== undefined && attemptOf(msg) <= model.fail_first) return true;
  return model.fail_probability !== undefined && random() < model.fail_probability;
}

/**
 * The outcome of one attempt of `msg`; how long it took (virtual ms) goes to `took.elapsed` (one
 * object the loop reuses, not a pair per attempt). `counts` is the service state.
 */
export function performAttempt(
  plan: RunPlan,
  msg: TaskMessage,
  model: SimModel | undefined,
  random: Random,
  counts: Map<string, number>,
  took: { elapsed: number },
  /** Whether the engine runs `msg`'s code (see `PlanView.runnable`); worked out here when not given. */
  runnable?: boolean,
): AttemptOutcome {
  let elapsed = 0;
  let outcome: AttemptOutcome;
  const t: PlanTask | undefined = msg.task >= 0 ? plan.tasks[msg.task] : undefined;
  const options = msg.dynamic?.options ?? (t as PlanTask).options;
  let base = Math.round(sampleDuration(model?.duration_ms ?? t?.duration_ms ?? DEFAULT_DURATION_MS, random));
  if (model !== undefined && injected(model, msg, random)) {
    const e = model.error;
    outcome = {
      kind: 'error',
      error: pyException(e?.type ?? 'ExpectedException', e?.message ?? 'injected failure'),
    };
  } else if (!(runnable ?? (hasImplementation(msg.name) && !plan.external?.includes(msg.name)))) {
    // A user task the simulator cannot run: it succeeds with no value after its modelled duration.
    outcome = { kind: 'success', value: null };
  } else {
    // The common no-op/arith built-ins answer at once (no request, no binding): `directTask`.
    let result = directTask(msg.name, msg.args, msg.kwargs) ?? executeTask(undefined, taskRequest(plan, msg));
    while (result.kind === 'effect') {
      if (result.effect === 'sleep') {
        elapsed += result.ms;
        result = result.then();
      } else {
        // The modelled service: count, delay, fail check; the client gives up after its timeout.
        const reply = modelServiceCall(counts, result.request);
        const callTime = base + reply.delay_ms;
        base = 0;
        if (callTime > result.timeout_ms) {
          elapsed += result.timeout_ms;
          result = result.then({ kind: 'timeout' });
        } else {
          elapsed += callTime;
          result = result.then({ kind: 'response', status: reply.status, body: reply.body });
        }
      }
    }
    outcome = result;
  }
  elapsed += base + (model?.extra_delay_ms ?? 0);
  const soft = options.soft_time_limit;
  const hard = options.time_limit;
  if (soft !== undefined && elapsed > soft * 1000 && (hard === undefined || soft < hard)) {
    outcome = timeLimitOutcome('soft', soft);
    elapsed = soft * 1000;
  } else if (hard !== undefined && elapsed > hard * 1000) {
    outcome = timeLimitOutcome('hard', hard);
    elapsed = hard * 1000;
  }
  took.elapsed = elapsed;
  return outcome;
}
