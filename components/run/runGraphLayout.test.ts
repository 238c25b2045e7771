import { describe, expect, it } from 'vitest';
import { canvasFile, chain, chord, group, task, withLinkError } from '@/lib/canvas/build';
import { layoutRunGraph } from './runGraphLayout';

describe('run graph layout', () => {
  it('lays the tutorial out as A → (B | C) → D with the chord body after its header', () => {
    const layout = layoutRunGraph(
      canvasFile(chain(task('TASK_A', [null]), group(task('TASK_B'), task('TASK_C')), task('TASK_D'))),
    );
    const at = Object.fromEntries(layout.tasks.map((t) => [t.name, [t.col, t.row]]));
    expect(at).toEqual({ TASK_A: [0, 0], TASK_B: [1, 0], TASK_C: [1, 1], TASK_D: [2, 0] });
    expect(layout.tasks.map((t) => t.task_id)).toEqual([
      'task.tasks.0',
      'task.tasks.1.header.0',
      'task.tasks.1.header.1',
      'task.tasks.1.body',
    ]);
    expect(layout.tasks.find((t) => t.name === 'TASK_D')?.chordId).toBe('tasks.1');
    expect(layout.edges).toHaveLength(4);
    expect(layout.edges).toEqual(
      expect.arrayContaining([
        { source: 'task.tasks.0', target: 'task.tasks.1.header.0', kind: 'flow' },
        { source: 'task.tasks.0', target: 'task.tasks.1.header.1', kind: 'flow' },
        { source: 'task.tasks.1.header.0', target: 'task.tasks.1.body', kind: 'flow' },
        { source: 'task.tasks.1.header.1', target: 'task.tasks.1.body', kind: 'flow' },
      ]),
    );
  });

  it('hangs errbacks under their task and keeps id labels', () => {
    const layout = layoutRunGraph(
      canvasFile(
        chain(withLinkError(task('add', [1, 2], { id: 'first' }), task('on_error')), task('mul', [3])),
      ),
    );
    const eb = layout.tasks.find((t) => t.name === 'on_error');
    expect(eb).toMatchObject({ origin: 'link_error', col: 0, row: 1 });
    expect(layout.edges).toContainEqual({ source: 'first', target: eb?.task_id, kind: 'link_error' });
  });
});

describe('run graph stacks', () => {
  it('draws a 1,000-member chord header as one stack with every member task id, and opens a range', () => {
    const file = canvasFile(
      chord(
        Array.from({ length: 1000 }, (_, i) => task('add', [i, 1])),
        task('tsum'),
      ),
    );
    const layout = layoutRunGraph(file);
    expect(layout.stacks).toHaveLength(1);
    const s = layout.stacks[0]!;
    expect(s.members).toHaveLength(1000);
    expect(s.members[7]).toEqual(['task.header.7']);
    expect(layout.tasks.map((t) => t.task_id)).toEqual(['task.body']);
    expect(layout.edges).toEqual([{ source: s.id, target: 'task.body', kind: 'flow' }]);
    const open = layoutRunGraph(file, { [s.id]: { from: 10, to: 13 } });
    expect(open.tasks.map((t) => t.task_id)).toEqual([
      'task.header.10',
      'task.header.11',
      'task.header.12',
      'task.body',
    ]);
  });
});
