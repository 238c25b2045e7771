import { describe, expect, it } from 'vitest';
import { createCatalogue } from '../canvas/catalogue';
import { createEditorStore } from './createEditorStore';
import { drawEditorTree } from './edits';
import { idsByPath, problemIndex, validateDoc } from './problems';

describe('editor validation', () => {
  it('maps each problem to the drawn node it belongs to', () => {
    const s = createEditorStore();
    const a = s.getState().actions;
    a.addTask('add');
    a.addTask('no_such_task');
    const doc = s.getState().doc;
    const problems = validateDoc(doc, createCatalogue());
    expect(problems.some((p) => p.severity === 'error' && /Unknown task/.test(p.message))).toBe(true);
    const drawing = drawEditorTree(doc.canvas);
    const bad = drawing.nodes.find((n) => n.task?.task === 'no_such_task')!;
    const index = problemIndex(problems, idsByPath(drawing));
    expect(index[bad.id]?.errors).toBeGreaterThan(0);
  });

  it('an empty canvas has no problems', () => {
    expect(validateDoc(createEditorStore().getState().doc, createCatalogue())).toEqual([]);
  });
});
