import { describe, expect, it } from 'vitest';
import { toCanvasJson } from '../canvas/canvasJson';
import { uidOf } from '../canvas/drawing';
import type { CanvasNode } from '../canvas/model';
import { createEditorStore } from './createEditorStore';
import { drawEditorTree } from './edits';
import { TUTORIAL_PAYLOAD, tutorialCanvas } from './templates';
import { stripUids } from './uids';

function json(canvas: CanvasNode | null) {
  return canvas === null
    ? null
    : toCanvasJson({
        canvas: stripUids(canvas),
        invoke: { args: [], kwargs: {} },
        config: { task_allow_error_cb_on_chord_header: false },
      });
}

function ids(store: ReturnType<typeof createEditorStore>) {
  return drawEditorTree(store.getState().doc.canvas).nodes;
}

describe('editor store', () => {
  it('builds the tutorial pipeline by adding and connecting, then undoes step by step', () => {
    const s = createEditorStore();
    const a = s.getState().actions;
    a.addTask('TASK_A');
    const A = s.getState().selection.ids[0]!;
    a.addContainer('group');
    const G = s.getState().selection.ids[0]!;
    a.addTask('TASK_B', { parentId: G });
    a.addTask('TASK_C', { parentId: G });
    a.addTask('TASK_D');
    const D = s.getState().selection.ids[0]!;
    a.connect(A, G);
    a.connect(G, D);
    expect(json(s.getState().doc.canvas)).toEqual({
      chain: [{ task: 'TASK_A' }, { group: [{ task: 'TASK_B' }, { task: 'TASK_C' }] }, { task: 'TASK_D' }],
    });
    a.undo();
    expect(json(s.getState().doc.canvas)).toEqual({
      group: [
        { chain: [{ task: 'TASK_A' }, { group: [{ task: 'TASK_B' }, { task: 'TASK_C' }] }] },
        { task: 'TASK_D' },
      ],
    });
    a.redo();
    expect(ids(s).map((n) => n.task?.task ?? n.kind)).toEqual([
      'TASK_A',
      'group',
      'TASK_B',
      'TASK_C',
      'TASK_D',
    ]);
  });

  it('rejects a cycle, changes nothing and highlights the edges', () => {
    const s = createEditorStore();
    const a = s.getState().actions;
    for (const n of ['add', 'mul', 'tsum']) a.addTask(n);
    const [p, q, r] = ids(s).map((n) => n.id);
    a.connect(p!, q!);
    a.connect(q!, r!);
    const before = s.getState().doc;
    const history = s.temporal.getState().pastStates.length;
    a.connect(r!, q!);
    expect(s.getState().doc).toBe(before);
    expect(s.temporal.getState().pastStates.length).toBe(history);
    expect(s.getState().ui.notice?.message).toMatch(/cycle/);
    expect(s.getState().ui.highlightEdges.length).toBe(2);
  });

  it('inserts on an edge, deletes with reconnection, and keeps selection out of history', () => {
    const s = createEditorStore({ doc: { canvas: tutorialCanvas() } });
    const a = s.getState().actions;
    const d = drawEditorTree(s.getState().doc.canvas);
    const firstEdge = d.edges[0]!;
    a.insertOnEdge(firstEdge.id, 'identity');
    expect(json(s.getState().doc.canvas)).toMatchObject({
      chain: [{ task: 'TASK_A' }, { task: 'identity' }, {}, {}],
    });
    const inserted = s.getState().selection.ids[0]!;
    const past = s.temporal.getState().pastStates.length;
    a.select([]);
    a.select([inserted]);
    expect(s.temporal.getState().pastStates.length).toBe(past);
    a.deleteSelection();
    expect(json(s.getState().doc.canvas)).toEqual(json(tutorialCanvas()));
  });

  it('copies, pastes and duplicates with fresh ids', () => {
    const s = createEditorStore({ doc: { canvas: tutorialCanvas() } });
    const a = s.getState().actions;
    const g = ids(s).find((n) => n.kind === 'group')!;
    a.select([g.id]);
    a.copySelection();
    a.paste();
    const all = ids(s);
    expect(all.filter((n) => n.kind === 'group')).toHaveLength(2);
    expect(new Set(all.map((n) => n.id)).size).toBe(all.length);
    a.duplicateSelection();
    expect(ids(s).filter((n) => n.kind === 'group')).toHaveLength(3);
    a.undo();
    a.undo();
    expect(ids(s).filter((n) => n.kind === 'group')).toHaveLength(1);
  });

  it('wraps a selection in a chord (header + receiver) and unwraps it back', () => {
    const s = createEditorStore({ doc: { canvas: tutorialCanvas() } });
    const a = s.getState().actions;
    const g = ids(s).find((n) => n.kind === 'group')!;
    a.select([g.id]);
    a.unwrapSelection();
    const flat = json(s.getState().doc.canvas);
    expect(flat).toEqual(json(tutorialCanvas()));
    const names = ids(s);
    const group = names.find((x) => x.kind === 'group')!.id;
    a.select([group, names.find((x) => x.task?.task === 'TASK_D')!.id]);
    a.wrapSelection('chord');
    const P = TUTORIAL_PAYLOAD;
    expect(json(s.getState().doc.canvas)).toEqual({
      chain: [
        { task: 'TASK_A', args: [null], kwargs: { payload: P } },
        {
          chord: {
            header: [
              { task: 'TASK_B', kwargs: { payload: P } },
              { task: 'TASK_C', kwargs: { payload: P } },
            ],
            body: { task: 'TASK_D', kwargs: { payload: P } },
          },
        },
      ],
    });
  });

  it('edits a retry policy as one undo step and one drag as one step', () => {
    const s = createEditorStore({ doc: { canvas: tutorialCanvas() } });
    const a = s.getState().actions;
    const b = ids(s).find((n) => n.task?.task === 'TASK_B')!;
    a.updateTask(b.id, { options: { max_retries: 7, retry_backoff: true } });
    a.movePositions({ [b.id]: { x: 10, y: 20 }, [ids(s)[0]!.id]: { x: 0, y: 0 } });
    expect(s.temporal.getState().pastStates.length).toBe(2);
    a.undo();
    expect(s.getState().doc.positions).toEqual({});
    a.undo();
    const again = ids(s).find((n) => n.id === b.id)!;
    expect(again.task?.options).toEqual({});
  });

  it('reorders header members and selects downstream', () => {
    const s = createEditorStore({ doc: { canvas: tutorialCanvas() } });
    const a = s.getState().actions;
    const c = ids(s).find((n) => n.task?.task === 'TASK_C')!;
    a.select([c.id]);
    a.reorderSelection(-1);
    expect(
      ids(s)
        .filter((n) => n.parentId !== undefined)
        .map((n) => n.task?.task),
    ).toEqual(['TASK_C', 'TASK_B']);
    const first = ids(s)[0]!;
    a.select([first.id]);
    a.selectReachable('down');
    // A, the group, its members B and C, and D.
    expect(s.getState().selection.ids.length).toBe(5);
    expect(uidOf(s.getState().doc.canvas!)).toBeDefined();
  });
});
