import { describe, expect, it } from 'vitest';
import type { AttemptBar } from '../sim/model/timeline';
import { density, timelineRows } from './timelineLanes';

const bar = (
  task_id: string,
  start: number,
  end: number,
  outcome: AttemptBar['outcome'] = 'success',
): AttemptBar => ({
  index: 0,
  task_id,
  name: 'add',
  attempt: 1,
  worker: 'w',
  lane: 0,
  start,
  end,
  outcome,
});

describe('timeline lanes', () => {
  const tasks = [
    { task_id: 'a', name: 'first' },
    ...Array.from({ length: 20 }, (_, i) => ({ task_id: `m${i}`, name: 'add' })),
    { task_id: 'z', name: 'tsum' },
  ];
  const stacks = [{ id: 'stack:', label: 'add', members: Array.from({ length: 20 }, (_, i) => [`m${i}`]) }];

  it('puts a stack in one lane where its first member was, and opens it with chosen members first', () => {
    expect(timelineRows(tasks, stacks).map((r) => (r.kind === 'stack' ? r.label : r.task_id))).toEqual([
      'a',
      'add ×20',
      'z',
    ]);
    const open = timelineRows(tasks, stacks, new Set(['stack:']), (ids) => [...ids].reverse(), 3);
    expect(open.map((r) => (r.kind === 'stack' ? r.id : r.task_id))).toEqual([
      'a',
      'stack:',
      'm19',
      'm18',
      'm17',
      'z',
    ]);
  });

  it('counts running attempts per slice and marks failures where they end', () => {
    const d = density(
      [bar('m0', 0, 10), bar('m1', 5, 10, 'failure'), bar('a', 0, 100)],
      new Set(['m0', 'm1']),
      100,
      10,
    );
    expect(d.running.slice(0, 3)).toEqual([2, 2, 0]);
    expect(d.failed[1]).toBe(1);
    expect(d.running.reduce((x, y) => x + y, 0)).toBe(4);
  });
});
