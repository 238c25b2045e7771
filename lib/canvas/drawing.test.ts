import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { chain, chord, group, task, withLink } from './build';
import { type Drawing, drawingToTree, edgeId, treeToDrawing } from './drawing';
import type { CanvasNode, TaskNode } from './model';

const P = { raw: 'hello world', scenario: 'happy' };
const tutorial = chain(
  task('TASK_A', [null], { kwargs: { payload: P } }),
  group(task('TASK_B', [], { kwargs: { payload: P } }), task('TASK_C', [], { kwargs: { payload: P } })),
  task('TASK_D', [], { kwargs: { payload: P } }),
);

function taskNode(id: string, name = id): Drawing['nodes'][number] {
  return { id, kind: 'task', path: [], task: task(name) };
}
function flow(source: string, target: string): Drawing['edges'][number] {
  return { id: edgeId(source, target, 'flow'), source, target, kind: 'flow' };
}

describe('treeToDrawing', () => {
  it('draws the tutorial chain as A -> group container -> D', () => {
    const d = treeToDrawing(tutorial);
    expect(d.nodes.map((n) => [n.kind, n.task?.task ?? null, n.parentId ?? null])).toEqual([
      ['task', 'TASK_A', null],
      ['group', null, null],
      ['task', 'TASK_B', 'n:tasks.1'],
      ['task', 'TASK_C', 'n:tasks.1'],
      ['task', 'TASK_D', null],
    ]);
    expect(d.edges.map((e) => `${e.source} ${e.target}`)).toEqual([
      'n:tasks.0 n:tasks.1',
      'n:tasks.1 n:tasks.2',
    ]);
  });

  it('puts chord members in header and body regions and draws callbacks with their own edge kinds', () => {
    const t = withLink(chord([task('a'), task('b')], task('c')), task('ok'));
    const withErr: CanvasNode = { ...t, link_error: [task('on_error')] };
    const d = treeToDrawing(withErr);
    expect(d.nodes.filter((n) => n.parentId === 'n:').map((n) => n.region)).toEqual([
      'header',
      'header',
      'body',
    ]);
    expect(d.edges.map((e) => e.kind).sort()).toEqual(['link', 'link_error']);
  });
});

describe('drawingToTree', () => {
  it('rebuilds a diamond as chain(a, group(b, c), d)', () => {
    const d: Drawing = {
      nodes: ['a', 'b', 'c', 'd'].map((x) => taskNode(x)),
      edges: [flow('a', 'b'), flow('a', 'c'), flow('b', 'd'), flow('c', 'd')],
    };
    const r = drawingToTree(d);
    expect(r).toEqual({ ok: true, tree: chain(task('a'), group(task('b'), task('c')), task('d')) });
  });

  it('keeps header order by drawing order, not by edge order', () => {
    const d: Drawing = {
      nodes: ['c', 'b', 'a'].map((x) => taskNode(x)),
      edges: [flow('a', 'b'), flow('a', 'c')],
    };
    const r = drawingToTree(d);
    expect(r.ok && r.tree).toEqual(chain(task('a'), group(task('c'), task('b'))));
  });

  it('rejects an N-shaped DAG and names its edges', () => {
    const d: Drawing = {
      nodes: ['a', 'b', 'c', 'd'].map((x) => taskNode(x)),
      edges: [flow('a', 'c'), flow('a', 'd'), flow('b', 'd')],
    };
    const r = drawingToTree(d);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.edges.map((e) => e.id).sort()).toEqual(
        [flow('a', 'c').id, flow('a', 'd').id, flow('b', 'd').id].sort(),
      );
      expect(r.message).toContain('a → d');
    }
  });

  it('rejects a cycle and names the edges in it', () => {
    const d: Drawing = {
      nodes: ['a', 'b', 'c'].map((x) => taskNode(x)),
      edges: [flow('a', 'b'), flow('b', 'c'), flow('c', 'b')],
    };
    const r = drawingToTree(d);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/cycle/);
      expect(r.edges.map((e) => e.id).sort()).toEqual([flow('b', 'c').id, flow('c', 'b').id].sort());
    }
  });

  it('lifts an edge from a group member to the group container', () => {
    const d: Drawing = {
      nodes: [
        taskNode('a'),
        { id: 'g', kind: 'group', path: [] },
        { ...taskNode('b'), parentId: 'g' },
        taskNode('d'),
      ],
      edges: [flow('a', 'g'), flow('b', 'd')],
    };
    const r = drawingToTree(d);
    expect(r.ok && r.tree).toEqual(chain(task('a'), group(task('b')), task('d')));
  });

  it('rejects an edge across a chord barrier and a chord without body', () => {
    const nodes: Drawing['nodes'] = [
      { id: 'k', kind: 'chord', path: [] },
      { ...taskNode('a'), parentId: 'k', region: 'header' },
      { ...taskNode('b'), parentId: 'k', region: 'body' },
    ];
    expect(drawingToTree({ nodes, edges: [flow('a', 'b')] }).ok).toBe(false);
    const noBody = drawingToTree({ nodes: nodes.slice(0, 2), edges: [] });
    expect(noBody.ok === false && noBody.message).toMatch(/needs a body/);
  });

  it('rejects callbacks that join one flow or enter a flow after its start', () => {
    const link = (source: string, target: string): Drawing['edges'][number] => ({
      id: edgeId(source, target, 'link'),
      source,
      target,
      kind: 'link',
    });
    // x starts the only source of its flow, but b's callback enters the same flow at y.
    const joined = drawingToTree({
      nodes: ['a', 'b', 'x', 'y'].map((x) => taskNode(x)),
      edges: [link('a', 'x'), link('b', 'y'), flow('x', 'y')],
    });
    expect(joined.ok === false && joined.message).toMatch(/callback starting at x must start its own flow/);
    const late = drawingToTree({
      nodes: ['a', 'x', 'y'].map((x) => taskNode(x)),
      edges: [link('a', 'y'), flow('x', 'y')],
    });
    expect(late.ok === false && late.message).toMatch(/callback starting at y must start its own flow/);
    const fine = drawingToTree({
      nodes: ['a', 'x', 'y'].map((x) => taskNode(x)),
      edges: [link('a', 'x'), flow('x', 'y')],
    });
    expect(fine.ok && fine.tree).toEqual(withLink(task('a'), chain(task('x'), task('y'))));
  });

  it('keeps drawn ids as uids when asked', () => {
    const r = drawingToTree({ nodes: [taskNode('x1')], edges: [] }, { keepIds: true });
    expect(r.ok && (r.tree as TaskNode & { uid?: string }).uid).toBe('x1');
  });
});

const names = fc.constantFrom('add', 'mul', 'tsum', 'identity', 'record', 'on_error');
const arbTask: fc.Arbitrary<CanvasNode> = fc
  .record({
    name: names,
    args: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 2 }),
    immutable: fc.boolean(),
  })
  .map(({ name, args, immutable }) => task(name, args, { immutable }));

const { node: arbNode } = fc.letrec<{ node: CanvasNode; callbacks: CanvasNode[] }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(arbTask, tie('callbacks'), tie('callbacks'))
      .map(([t, link, link_error]) => ({ ...t, link, link_error }) as CanvasNode),
    fc
      .tuple(fc.array(tie('node'), { maxLength: 4 }), tie('callbacks'))
      .map(([tasks, link]) => ({ ...chain(...tasks), link })),
    fc.array(tie('node'), { maxLength: 3 }).map((tasks) => group(...tasks)),
    fc.tuple(fc.array(tie('node'), { maxLength: 3 }), tie('node')).map(([h, b]) => chord(h, b)),
  ),
  callbacks: fc.oneof(
    { weight: 4, arbitrary: fc.constant<CanvasNode[]>([]) },
    { weight: 1, arbitrary: fc.array(tie('node'), { minLength: 1, maxLength: 2 }) },
  ),
}));

describe('round trip', () => {
  test.prop([arbNode], { numRuns: 300 })('tree -> drawing -> tree is the identity', (tree) => {
    const r = drawingToTree(treeToDrawing(tree));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.tree).toEqual(tree);
  });

  test.prop([arbNode])('drawn ids are unique and every edge joins drawn nodes', (tree) => {
    const d = treeToDrawing(tree);
    const ids = new Set(d.nodes.map((n) => n.id));
    expect(ids.size).toBe(d.nodes.length);
    for (const e of d.edges) expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
  });

  it('round-trips the tutorial pipeline', () => {
    const r = drawingToTree(treeToDrawing(tutorial));
    expect(r.ok && r.tree).toEqual(tutorial);
  });
});
