/**
 * Big canvases through drawing -> tree, the conversion the editor runs on every structural edit. These
 * shapes took seconds to minutes when a step of the conversion was quadratic; they only check results,
 * and would not finish within the test timeout if the conversion became quadratic again.
 */
import { describe, expect, it } from 'vitest';
import { chain, group, task } from './build';
import { type Drawing, drawingToTree, edgeId, treeToDrawing } from './drawing';
import type { CanvasNode } from './model';

function roundTrip(tree: CanvasNode): void {
  const r = drawingToTree(treeToDrawing(tree));
  expect(r.ok).toBe(true);
  if (r.ok) expect(r.tree).toEqual(tree);
}

describe('drawing -> tree on big canvases', () => {
  it('rebuilds a chain of 20,000 tasks', () => {
    roundTrip(chain(...Array.from({ length: 20_000 }, (_, i) => task(`step${i}`))));
  });

  it('rebuilds a group of 5,000 tasks, each with a callback, followed by a task', () => {
    const members = Array.from({ length: 5_000 }, (_, i) => ({ ...task(`m${i}`), link: [task(`cb${i}`)] }));
    roundTrip(chain(group(...members), task('end')));
  });

  it('rebuilds a task with 20,000 callbacks', () => {
    roundTrip({ ...task('root'), link: Array.from({ length: 20_000 }, (_, i) => task(`cb${i}`)) });
  });

  it('rebuilds a loose fan a -> 10,000 tasks -> c as chain(a, group, c)', () => {
    const n = 10_000;
    const node = (id: string): Drawing['nodes'][number] => ({ id, kind: 'task', path: [], task: task(id) });
    const flow = (source: string, target: string): Drawing['edges'][number] => ({
      id: edgeId(source, target, 'flow'),
      source,
      target,
      kind: 'flow',
    });
    const middle = Array.from({ length: n }, (_, i) => `b${i}`);
    const r = drawingToTree({
      nodes: [node('a'), ...middle.map(node), node('c')],
      edges: middle.flatMap((b) => [flow('a', b), flow(b, 'c')]),
    });
    expect(r.ok && r.tree).toEqual(chain(task('a'), group(...middle.map((b) => task(b))), task('c')));
  });
});
