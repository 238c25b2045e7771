import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbCanvasNode } from './arbitraries';
import { chain, chord, group, task, withLink } from './build';
import { formatPath, getNodeAt, parsePath, walkNodes } from './paths';

describe('paths', () => {
  const tree = chain(task('a'), chord([task('b'), group(task('c'))], withLink(task('d'), task('cb'))));

  it('formats and parses paths', () => {
    expect(formatPath([])).toBe('canvas');
    expect(formatPath(['tasks', 1, 'header', 0])).toBe('canvas.tasks[1].header[0]');
    expect(parsePath('canvas.tasks[1].header[0]')).toEqual(['tasks', 1, 'header', 0]);
    expect(parsePath('tasks[1].body')).toEqual(['tasks', 1, 'body']);
    expect(parsePath('canvas')).toEqual([]);
    expect(parsePath('canvas..x[')).toBeNull();
  });

  it('gets the node at a path', () => {
    expect(getNodeAt(tree, ['tasks', 1, 'header', 1, 'tasks', 0])).toMatchObject({ task: 'c' });
    expect(getNodeAt(tree, ['tasks', 1, 'body', 'link', 0])).toMatchObject({ task: 'cb' });
    expect(getNodeAt(tree, ['tasks', 5])).toBeUndefined();
    expect(getNodeAt(tree, ['header', 0])).toBeUndefined();
  });

  test.prop([arbCanvasNode()], { numRuns: 100 })(
    'every walked path leads back to its node and re-parses',
    (node) => {
      for (const { node: n, path } of walkNodes(node)) {
        expect(getNodeAt(node, path)).toBe(n);
        expect(parsePath(formatPath(path))).toEqual(path);
      }
    },
  );
});
