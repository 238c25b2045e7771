/**
 * Random canvases that Celery would accept when applied: `arbCanvasFile` filtered by the apply-time
 * argument check (Task.typing), which the planner enforces. For property and differential tests.
 */
import type fc from 'fast-check';
import { type ArbCanvasOptions, arbCanvasFile } from '../canvas/arbitraries';
import { createCatalogue, type TaskCatalogue } from '../canvas/catalogue';
import type { CanvasFile } from '../canvas/model';
import { PlanError, planRun } from './plan';

/** True when applying `file` would not raise in the caller (its first messages' arguments bind). */
export function appliesCleanly(file: CanvasFile, catalogue: TaskCatalogue): boolean {
  try {
    planRun(file, catalogue, 'check');
    return true;
  } catch (err) {
    if (err instanceof PlanError && err.error !== undefined) return false;
    throw err;
  }
}

/**
 * `arbCanvasFile(opts)` without the canvases whose top-level apply raises TypeError.
 * @example fc.property(arbPlannableCanvasFile(), (file) => simulate(file, opts))
 */
export function arbPlannableCanvasFile(
  opts: ArbCanvasOptions = {},
  catalogue: TaskCatalogue = createCatalogue(),
): fc.Arbitrary<CanvasFile> {
  return arbCanvasFile(opts).filter((file) => appliesCleanly(file, catalogue));
}
