/**
 * Carries out the core's `Step`s with Redis and BullMQ, in the order that makes crashes harmless:
 * 1) finals, events and chord progress go to the run store (one pipeline shared by every job finishing
 * in the same tick), 2) dispatches are added (deterministic job ids, so a redelivered job re-adds no-ops),
 * 3) only then does the caller run the barrier completion script (barrier.ts) and let its job complete.
 * A step that adds no jobs needs no step 2: its writes may wait for the completion (`recordStep`) and go
 * to Redis in the same script call, writes first (StoreBatch's tail).
 */
import type { Step } from '../../lib/engine/types';
import type { StoreBatch } from '../runs/runStore';
import { crashPoint } from './crashPoints';
import type { Dispatcher } from './queues';
import type { RunContext } from './runContext';

const FINISH_STATUS = { success: 'success', failure: 'error', canceled: 'canceled' } as const;

/**
 * Records a step's store writes in `batch` without flushing them: for a step that adds no jobs, whose
 * writes may go to Redis with its barrier completion (the batch's tail, barrier.ts), in one call.
 */
export function recordStep(batch: StoreBatch, ctx: RunContext, step: Step, now: number): void {
  const runId = ctx.plan.run_id;
  if (step.finals.length > 0) batch.setFinals(runId, step.finals);
  batch.appendEvents(runId, step.events);
  for (const r of step.reports) {
    batch.chordProgress(
      runId,
      r.barrier,
      r.chord_id,
      ctx.barrierTotals.get(r.barrier) ?? 0,
      r.grow ?? 0,
      now,
    );
  }
  if (step.finish) {
    batch.setRunFields(runId, {
      status: FINISH_STATUS[step.finish.status],
      updated: new Date().toISOString(),
    });
  }
}

export function applyStep(
  batch: StoreBatch,
  dispatcher: Pick<Dispatcher, 'dispatch'>,
  ctx: RunContext,
  step: Step,
  now: number,
): Promise<void> {
  recordStep(batch, ctx, step, now);
  // A chain of two callbacks, not an async function: this runs once per task on the hot path.
  return batch.flush().then(() => {
    crashPoint('flushed');
    return step.dispatch.length > 0 ? dispatcher.dispatch(ctx.plan, step.dispatch) : undefined;
  });
}
