import { describe, expect, it } from 'vitest';
import { functionNames } from './names';

describe('functionNames', () => {
  it('never takes a name the module imports or defines', () => {
    const fn = functionNames(['chunks', 'xmap', '_observe', '_call_model', 'canvas', 'add']);
    expect([...fn.values()]).toEqual([
      'chunks_task',
      'xmap_task',
      '_observe_task',
      '_call_model_task',
      'canvas_task',
      'add',
    ]);
  });

  it('numbers names that clean to the same identifier, around names that already end in a number', () => {
    const fn = functionNames(['a.b', 'a-b', 'a_b_2', 'a/b', 'a:b', 'a_b']);
    expect([...fn.values()]).toEqual(['a_b', 'a_b_2', 'a_b_2_2', 'a_b_3', 'a_b_4', 'a_b_5']);
    const many = Array.from({ length: 5_000 }, (_, i) => `x${'.-/:'.charAt(i % 4)}${Math.floor(i / 4)}`);
    expect(new Set(functionNames(many).values()).size).toBe(5_000);
  });
});
