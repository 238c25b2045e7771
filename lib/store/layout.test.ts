import { describe, expect, it } from 'vitest';
import { drawEditorTree } from './edits';
import { layoutDrawing, TASK_H, TASK_W } from './layout';
import { tutorialCanvas } from './templates';
import { createUidSource, withUids } from './uids';

describe('layoutDrawing', () => {
  const canvas = withUids(tutorialCanvas(), createUidSource());
  const drawing = drawEditorTree(canvas);
  const id = (name: string) => drawing.nodes.find((n) => n.task?.task === name || n.kind === name)!.id;

  it('runs a chain left to right and stacks group members inside their container', () => {
    const boxes = layoutDrawing(canvas, drawing);
    const a = boxes.get(id('TASK_A'))!;
    const g = boxes.get(id('group'))!;
    const b = boxes.get(id('TASK_B'))!;
    const c = boxes.get(id('TASK_C'))!;
    const d = boxes.get(id('TASK_D'))!;
    expect(a.x + a.w).toBeLessThan(g.x);
    expect(g.x + g.w).toBeLessThan(d.x);
    expect([b.w, b.h]).toEqual([TASK_W, TASK_H]);
    expect(c.y).toBeGreaterThan(b.y + b.h);
    // Members are positioned relative to the container and fit inside it.
    expect(c.y + c.h).toBeLessThanOrEqual(g.h);
    // The flow handles line up: A's middle is level with the group's middle.
    expect(a.y + a.h / 2).toBeCloseTo(g.y + g.h / 2);
  });

  it('keeps manual positions and grows the container around a moved member', () => {
    const before = layoutDrawing(canvas, drawing).get(id('group'))!;
    const boxes = layoutDrawing(canvas, drawing, { [id('TASK_C')]: { x: 400, y: 300 } });
    expect(boxes.get(id('TASK_C'))).toMatchObject({ x: 400, y: 300 });
    const g = boxes.get(id('group'))!;
    expect(g.w).toBeGreaterThan(before.w);
    expect(g.h).toBeGreaterThanOrEqual(300 + TASK_H);
  });
});
