/**
 * Random canvases for the conformance test (fixed seed): arity-safe (see arity.ts), and not of a shape
 * where a known difference from Celery is already pinned down by a hand-picked case or documented as a
 * Celery bug Chordflow deliberately fixes (celery-semantics.md section 11). Half of them contain a
 * `fail` task.
 */
import fc from 'fast-check';
import { arbCanvasFile } from '@/lib/canvas/arbitraries';
import type { TaskCatalogue } from '@/lib/canvas/catalogue';
import type { CanvasFile, CanvasNode } from '@/lib/canvas/model';
import { normalizeCanvas } from '@/lib/canvas/normalize';
import { aritySafe } from './arity';

function hasFail(node: CanvasNode): boolean {
  switch (node.type) {
    case 'task':
      return node.task === 'fail';
    case 'chain':
    case 'group':
      return node.tasks.some(hasFail);
    case 'chord':
      return node.header.some(hasFail) || hasFail(node.body);
  }
}

function hasChord(node: CanvasNode): boolean {
  if (node.type === 'chord') return true;
  if (node.type === 'chain' || node.type === 'group') return node.tasks.some(hasChord);
  return false;
}

/**
 * Shapes (of the normalized tree) where a failure meets a known difference: a chain going on after a
 * failure into a trailing group (11.2) or a chord (hand case "4.2 failure before a chord"), a chord in
 * a chord header (11.3), a chord in a chord body (hand case "6.2 chord body").
 */
function failureMeetsKnownDifference(node: CanvasNode): boolean {
  switch (node.type) {
    case 'task':
      return false;
    case 'chain': {
      const last = node.tasks[node.tasks.length - 1];
      const trailingGroup = node.tasks.length > 1 && last?.type === 'group';
      const chordAfterStep = node.tasks.slice(1).some(hasChord);
      const chordThenMore = node.tasks.slice(0, -1).some(hasChord);
      return trailingGroup || chordAfterStep || chordThenMore || node.tasks.some(failureMeetsKnownDifference);
    }
    case 'group':
      return node.tasks.some(failureMeetsKnownDifference);
    case 'chord':
      return (
        node.header.some(hasChord) ||
        hasChord(node.body) ||
        node.header.some(failureMeetsKnownDifference) ||
        failureMeetsKnownDifference(node.body)
      );
  }
}

/** A group of several members directly in a chord header: Celery reverses it (hand case "6.1 … flattened"). */
function nestedHeaderGroup(node: CanvasNode): boolean {
  switch (node.type) {
    case 'task':
      return false;
    case 'chain':
    case 'group':
      return node.tasks.some(nestedHeaderGroup);
    case 'chord':
      return (
        node.header.some((h) => h.type === 'group' && h.tasks.length > 1) ||
        node.header.some(nestedHeaderGroup) ||
        nestedHeaderGroup(node.body)
      );
  }
}

/** `count` random canvas files (fixed seed), half with a `fail` task. */
export function randomFiles(count: number, catalogue: TaskCatalogue): CanvasFile[] {
  // Per-node retry options are not expressible in Celery (it fixes them per task) and `sim` models are
  // ignored by real runs, so neither is generated; retries are covered by the hand-picked cases.
  const pool = fc.sample(arbCanvasFile({ maxDepth: 3, withOptions: false, withSim: false }), {
    numRuns: 400,
    seed: 20261128,
  });
  const usable = pool.filter((f) => {
    const n = normalizeCanvas(f.canvas, {
      allowErrorCbOnChordHeader: f.config.task_allow_error_cb_on_chord_header,
    });
    if (n.type === 'chain' && n.tasks.length === 0) return false;
    if (hasFail(n) && failureMeetsKnownDifference(n)) return false;
    return !nestedHeaderGroup(n) && aritySafe(f, catalogue);
  });
  const failing = usable.filter((f) => hasFail(f.canvas)).slice(0, Math.ceil(count / 2));
  const passing = usable.filter((f) => !hasFail(f.canvas)).slice(0, count - failing.length);
  return [...failing, ...passing];
}
