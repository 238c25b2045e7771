/**
 * drawing -> tree on random flat drawings of DAGs (tasks and flow edges only): a series-parallel drawing
 * always becomes a tree, and any tree it becomes orders the tasks exactly as the drawing's paths do.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { task } from './build';
import { arbDag } from './dagArbitraries';
import { type Drawing, drawingToTree, edgeId, uidOf } from './drawing';
import type { CanvasNode } from './model';
import type { LocalDag } from './seriesCuts';

/** The drawing of a DAG: node `v` is task `t<v>`, drawn in rank order. */
function drawingOf(dag: LocalDag): Drawing {
  const ids = dag.succ.map((_, v) => v).sort((a, b) => dag.rank[a]! - dag.rank[b]!);
  return {
    nodes: ids.map((v) => ({ id: `t${v}`, kind: 'task', path: [], task: task(`t${v}`) })),
    edges: dag.succ.flatMap((ts, s) =>
      ts.map((t) => ({
        id: edgeId(`t${s}`, `t${t}`, 'flow'),
        source: `t${s}`,
        target: `t${t}`,
        kind: 'flow' as const,
      })),
    ),
  };
}

/** Pairs "a b" where task a must finish before task b starts, by the drawing's flow paths. */
function reachPairs(dag: LocalDag): string[] {
  const pairs = new Set<string>();
  dag.succ.forEach((_, start) => {
    const stack = [...dag.succ[start]!];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      pairs.add(`t${start} t${v}`);
      stack.push(...dag.succ[v]!);
    }
  });
  return [...pairs].sort();
}

/** The same pairs as the tree orders them: a chain's steps in sequence, a group's members apart. */
function treePairs(tree: CanvasNode): string[] {
  const pairs = new Set<string>();
  const tasks = (n: CanvasNode): string[] =>
    n.type === 'task' ? [uidOf(n)!] : n.type === 'chord' ? [] : n.tasks.flatMap(tasks);
  const walk = (n: CanvasNode) => {
    if (n.type !== 'chain' && n.type !== 'group') return;
    n.tasks.forEach(walk);
    if (n.type === 'chain')
      n.tasks.forEach((a, i) => {
        for (const b of n.tasks.slice(i + 1))
          for (const x of tasks(a)) for (const y of tasks(b)) pairs.add(`${x} ${y}`);
      });
  };
  walk(tree);
  return [...pairs].sort();
}

describe('drawing -> tree on random DAG drawings', () => {
  test.prop([arbDag({ perturb: false })], { numRuns: 300 })(
    'a series-parallel drawing becomes a tree with the same order',
    (dag) => {
      const r = drawingToTree(drawingOf(dag), { keepIds: true });
      expect(r.ok).toBe(true);
      if (r.ok) expect(treePairs(r.tree)).toEqual(reachPairs(dag));
    },
  );

  test.prop([arbDag({ cyclic: true })], { numRuns: 300 })(
    'a perturbed drawing becomes a tree with the same order, or is rejected with a reason',
    (dag) => {
      const r = drawingToTree(drawingOf(dag), { keepIds: true });
      if (r.ok) expect(treePairs(r.tree)).toEqual(reachPairs(dag));
      else {
        expect(r.message).toMatch(/cycle|do not form a chain/);
        expect(r.edges.length).toBeGreaterThan(0);
      }
    },
  );

  test.prop([arbDag()])('every task of the drawing is in the tree once', (dag) => {
    const r = drawingToTree(drawingOf(dag), { keepIds: true });
    fc.pre(r.ok);
    if (!r.ok) return;
    const seen: string[] = [];
    const walk = (n: CanvasNode) => {
      if (n.type === 'task') seen.push(uidOf(n)!);
      else if (n.type === 'chain' || n.type === 'group') n.tasks.forEach(walk);
    };
    walk(r.tree);
    expect(seen.sort()).toEqual(dag.succ.map((_, v) => `t${v}`).sort());
  });
});
