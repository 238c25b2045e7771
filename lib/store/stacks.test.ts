import { describe, expect, it } from 'vitest';
import { chain, chord, group, task } from '../canvas/build';
import type { CanvasNode } from '../canvas/model';
import { expandStackIds, findStacks, memberShape, STACK_MAX_EXPANDED, stackDrawing } from '../canvas/stacks';
import { createEditorStore } from './createEditorStore';
import { drawEditorTree, rebuild } from './edits';
import { layoutDrawing, STACK_H, STACK_W } from './layout';
import { createUidSource, withUids } from './uids';

const tagged = (c: CanvasNode) => withUids(c, createUidSource());

describe('stacks', () => {
  it('stacks a chord header whose members share a shape, whatever their args and ids', () => {
    const header = Array.from({ length: 1000 }, (_, i) => task('add', [i, 1], { id: `doc-${i}` }));
    const canvas = tagged(chord(header, task('tsum')));
    const specs = findStacks(canvas);
    expect(specs).toHaveLength(1);
    expect(specs[0]!.label).toBe('add');
    expect(specs[0]!.members).toHaveLength(1000);
    expect(specs[0]!.region).toBe('header');
    const drawing = drawEditorTree(canvas);
    const view = stackDrawing(drawing, specs);
    // The chord, its body: the 1,000 members are one stack.
    expect(view.drawing.nodes.map((n) => n.kind)).toEqual(['chord', 'task']);
    expect(view.hiddenBy.size).toBe(1000);
    // The tree stays exact: every member is still a task of its own.
    const back = rebuild(drawing);
    expect(back.ok && back.tree).toEqual(canvas);
  });

  it('does not stack mixed or short member lists', () => {
    const mixed = tagged(group(...Array.from({ length: 20 }, (_, i) => task('add', [i])), task('mul', [2])));
    expect(findStacks(mixed)).toEqual([]);
    const short = tagged(group(...Array.from({ length: 5 }, (_, i) => task('add', [i]))));
    expect(findStacks(short)).toEqual([]);
    expect(memberShape(task('add', [1]))).not.toBe(memberShape(task('add', [1], { immutable: true })));
    expect(memberShape(task('add', [1]))).not.toBe(memberShape(task('add', [1, 2])));
    expect(memberShape(task('add', [1]))).not.toBe(
      memberShape(task('add', [1], { options: { max_retries: 2 } })),
    );
  });

  it('stacks a loose root group of chains and expands a range in place', () => {
    const rows = Array.from({ length: 100 }, (_, r) =>
      chain(task('identity', [r]), task('add', [r]), task('mul', [2])),
    );
    const canvas = tagged(group(...rows));
    const specs = findStacks(canvas);
    expect(specs.map((s) => s.label)).toEqual(['identity → add → mul']);
    expect(specs[0]!.parentId).toBeUndefined();
    expect(specs[0]!.members[3]!.taskIds).toHaveLength(3);
    const drawing = drawEditorTree(canvas);
    const view = stackDrawing(drawing, specs, { [specs[0]!.id]: { from: 10, to: 12 } });
    expect(view.drawing.nodes).toHaveLength(6);
    expect(view.drawing.edges).toHaveLength(4);
    const boxes = layoutDrawing(canvas, view.drawing, {}, view.stacks);
    const stackBox = boxes.get(specs[0]!.id)!;
    expect([stackBox.w, stackBox.h]).toEqual([STACK_W, STACK_H]);
    // The expanded members sit under the stack.
    for (const n of view.drawing.nodes) expect(boxes.get(n.id)!.y).toBeGreaterThan(stackBox.y + stackBox.h);
  });

  it('clips a range to the members and to the most a range may draw', () => {
    const canvas = tagged(
      chord(
        Array.from({ length: 2000 }, (_, i) => task('add', [i])),
        task('tsum'),
      ),
    );
    const specs = findStacks(canvas);
    const view = stackDrawing(drawEditorTree(canvas), specs, { [specs[0]!.id]: { from: -5, to: 99999 } });
    expect(view.stacks[0]!.range).toEqual({ from: 0, to: STACK_MAX_EXPANDED });
    expect(view.drawing.nodes).toHaveLength(2 + STACK_MAX_EXPANDED);
  });

  it('hides a nested stack with the collapsed stack that holds it', () => {
    const inner = () => group(...Array.from({ length: 12 }, (_, i) => task('add', [i])));
    const canvas = tagged(
      chord(
        Array.from({ length: 12 }, () => inner()),
        task('tsum'),
      ),
    );
    const specs = findStacks(canvas);
    expect(specs).toHaveLength(13);
    const view = stackDrawing(drawEditorTree(canvas), specs);
    expect(view.stacks).toHaveLength(1);
    const opened = stackDrawing(drawEditorTree(canvas), specs, { [specs[0]!.id]: { from: 0, to: 1 } });
    expect(opened.stacks).toHaveLength(2);
  });
});

describe('a selected stack', () => {
  it('stands for all its members: delete removes every member (the emptied group stays, as by hand)', () => {
    const store = createEditorStore({});
    const rows = Array.from({ length: 20 }, (_, i) => task('add', [i, 1]));
    store.getState().actions.replaceCanvas(chain(task('identity', [1]), group(...rows), task('tsum')));
    const canvas = store.getState().doc.canvas!;
    const [spec] = findStacks(canvas);
    expect(expandStackIds(canvas, [spec!.id, 'other'])).toHaveLength(21);
    store.getState().actions.select([spec!.id]);
    store.getState().actions.deleteSelection();
    const after = store.getState().doc.canvas!;
    expect(after.type).toBe('chain');
    expect(after.type === 'chain' && after.tasks.map((t) => (t.type === 'task' ? t.task : t.type))).toEqual([
      'identity',
      'group',
      'tsum',
    ]);
    const g = after.type === 'chain' ? after.tasks[1] : undefined;
    expect(g?.type === 'group' && g.tasks).toEqual([]);
  });
});
