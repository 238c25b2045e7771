import { describe, expect, it } from 'vitest';
import { createEditorStore } from './createEditorStore';
import { titleFromFileName } from './formats';
import { tutorialCanvas } from './templates';

describe('a stray unconnected node', () => {
  it('says that the canvas became a group when a task is dropped beside a chain', () => {
    const s = createEditorStore({ doc: { canvas: tutorialCanvas() } });
    s.getState().actions.addTask('add');
    expect(s.getState().doc.canvas?.type).toBe('group');
    const notice = s.getState().ui.notice;
    expect(notice?.kind).toBe('info');
    expect(notice?.message).toContain('“add” is not connected');
    expect(notice?.message).toContain('in parallel with the rest (a group)');
  });

  it('stays quiet when the canvas was already a group or the task goes into a container', () => {
    const s = createEditorStore();
    const a = s.getState().actions;
    a.addContainer('chain');
    expect(s.getState().ui.notice).toBeNull();
    const chain = s.getState().selection.ids[0]!;
    a.addTask('add', { parentId: chain });
    expect(s.getState().ui.notice).toBeNull();
    a.addTask('mul');
    expect(s.getState().ui.notice?.message).toContain('“mul” is not connected');
    a.addTask('tsum');
    expect(s.getState().ui.notice).toBeNull();
  });
});

describe('titles from imported files', () => {
  it('strips the extensions the exporter writes and keeps the rest', () => {
    expect(titleFromFileName('nightly-etl.canvas.json')).toBe('nightly-etl');
    expect(titleFromFileName('C:\\work\\Report v2.chordflow.json')).toBe('Report v2');
    expect(titleFromFileName('workflows.yml')).toBe('workflows');
    expect(titleFromFileName('pipeline.v2.json')).toBe('pipeline.v2');
    expect(titleFromFileName('.json')).toBe('.json');
  });
});
