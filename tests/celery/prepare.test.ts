/**
 * `normalizeCanvas` against Celery's own `chain.prepare_steps` (what a worker does when it applies a
 * chain): random canvases are exported as Celery JSON, rebuilt in Python with `Signature.from_dict` and
 * every chain prepared by Celery; the result must equal our normalized tree.
 *
 * Excluded from the random cases, each for a documented reason: empty groups (5.2's prepare_steps lacks
 * 5.6's empty-group skip, covered by normalize.test.ts), groups directly inside a group or chord header
 * (freezing flattens them, and reverses their order: `group._freeze_unroll` uses `extendleft`; that is
 * run-time result shape, left to the engine), and links (prepare_steps drops a spliced chain's links,
 * Chordflow moves them per 4.3).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCanvasNode } from '@/lib/canvas/arbitraries';
import { canvasFile, chain, group, task } from '@/lib/canvas/build';
import { signatureJson, toCeleryTree } from '@/lib/canvas/celeryJson';
import type { CanvasNode } from '@/lib/canvas/model';
import { normalizeCanvas } from '@/lib/canvas/normalize';
import { walkNodes } from '@/lib/canvas/paths';
import { runPython } from './python';

function comparable(node: CanvasNode): boolean {
  return walkNodes(node).every(({ node: n }) => {
    if (n.type === 'group' && n.tasks.length === 0) return false;
    if (n.type === 'group' && n.tasks.some((t) => t.type === 'group')) return false;
    if (n.type === 'chord' && n.header.some((t) => t.type === 'group')) return false;
    return true;
  });
}

describe('normalizeCanvas equals Celery prepare_steps', () => {
  it('for hand-picked chains (raw chains as read from Celery JSON)', () => {
    const raw = (...tasks: CanvasNode[]): CanvasNode => ({ ...chain(...tasks), raw: true });
    const cases = [
      raw(task('a'), group(task('b'), task('c')), task('d')),
      raw(task('a'), raw(task('b'), task('c')), group(task('d'))),
      raw(group(task('a'), task('b')), group(task('c'), task('d')), task('e')),
      raw(task('a'), group(task('b'), task('c')), task('d'), task('e')),
      raw(group(task('x')), raw(group(task('a'), task('b')), task('c'))),
    ];
    const theirs = runPython(
      'prepare_canvas.py',
      cases.map((c) => signatureJson(c)),
    ) as unknown[];
    cases.forEach((c, i) => {
      expect(signatureJson(normalizeCanvas(c))).toEqual(theirs[i]);
    });
  });

  it('for random canvases (property)', () => {
    const trees = fc
      .sample(arbCanvasNode({ maxDepth: 3, withLinks: false, withIds: false }), { numRuns: 300, seed: 77 })
      .map((n) => toCeleryTree(canvasFile(n)))
      .filter(comparable)
      .slice(0, 120);
    expect(trees.length).toBeGreaterThan(60);
    const theirs = runPython('prepare_canvas.py', trees.map(signatureJson)) as unknown[];
    trees.forEach((t, i) => {
      expect(signatureJson(normalizeCanvas(t))).toEqual(theirs[i]);
    });
  });
});
