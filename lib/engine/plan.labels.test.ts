import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCanvasNode } from '../canvas/arbitraries';
import { group, task, withLink } from '../canvas/build';
import type { CanvasFile, CanvasNode } from '../canvas/model';
import { catalogue } from '../sim/testing/harness';
import { appliesCleanly } from './arbPlannable';
import { planRun } from './plan';

/** Labels that look like the derived ids of small canvases (`task.<path>`), plus a plain one. */
const LABELS = [
  'task',
  'task.tasks.0',
  'task.tasks.1',
  'task.header.0',
  'task.tasks.0.tasks.1',
  'task.body',
  'x',
];

/** `node` with the task labels replaced by `pick()` (undefined = no label). */
function relabel(node: CanvasNode, pick: () => string | undefined): CanvasNode {
  const link = node.link.map((n) => relabel(n, pick));
  const link_error = node.link_error.map((n) => relabel(n, pick));
  switch (node.type) {
    case 'task': {
      const { id: _old, ...rest } = node;
      const id = pick();
      return id === undefined ? { ...rest, link, link_error } : { ...rest, link, link_error, id };
    }
    case 'chain':
    case 'group':
      return { ...node, link, link_error, tasks: node.tasks.map((n) => relabel(n, pick)) };
    case 'chord':
      return {
        ...node,
        link,
        link_error,
        header: node.header.map((n) => relabel(n, pick)),
        body: relabel(node.body, pick),
      };
  }
}

function labelsOf(node: CanvasNode, out: Set<string> = new Set()): Set<string> {
  if (node.type === 'task' && node.id !== undefined) out.add(node.id);
  const children =
    node.type === 'chord' ? [...node.header, node.body] : node.type === 'task' ? [] : node.tasks;
  for (const c of [...children, ...node.link, ...node.link_error]) labelsOf(c, out);
  return out;
}

function fileOf(canvas: CanvasNode): CanvasFile {
  return { canvas, invoke: { args: [], kwargs: {} }, config: { task_allow_error_cb_on_chord_header: false } };
}

function plan(canvas: CanvasNode) {
  return planRun(fileOf(canvas), catalogue, 'r');
}

describe('task ids when labels look like derived ids', () => {
  it('renames a derived id taken by a label met later in the tree', () => {
    const p = plan(group(task('identity', [1]), task('identity', [2], { id: 'task.tasks.0' })));
    expect(p.tasks.map((t) => t.id)).toEqual(['task.tasks.0-2', 'task.tasks.0']);
  });

  it('sees labels of callbacks too', () => {
    const p = plan(
      group(
        task('identity', [1]),
        withLink(task('identity', [2]), task('identity', [], { id: 'task.tasks.0' })),
      ),
    );
    expect(p.tasks.map((t) => t.id)).toEqual(['task.tasks.0-2', 'task.tasks.1', 'task.tasks.0']);
  });

  it('gives every task a label (maybe deduplicated) or a derived id', () => {
    fc.assert(
      fc.property(
        arbCanvasNode({ maxDepth: 3, maxWidth: 3, withIds: false }),
        fc.array(fc.option(fc.constantFrom(...LABELS), { nil: undefined }), { minLength: 1, maxLength: 30 }),
        (node, picks) => {
          let i = 0;
          const canvas = relabel(node, () => picks[i++ % picks.length]);
          // Canvases whose apply raises (Task.typing) have no plan.
          fc.pre(appliesCleanly(fileOf(canvas), catalogue));
          const labels = labelsOf(canvas);
          const ids = plan(canvas).tasks.map((t) => t.id);
          for (const id of ids) {
            const base = id.replace(/-\d+$/, '');
            // Either a label (maybe deduplicated) or a derived id that no label took.
            if (!labels.has(id)) expect(labels.has(base) || base.startsWith('task')).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('many tasks with one label', () => {
  it('100,000 tasks labelled alike get the label, then -2, -3 … in order (a literal "-n" keeps its place)', () => {
    const tasks: CanvasNode[] = Array.from({ length: 100_000 }, () => task('identity', [1], { id: 'same' }));
    tasks[1] = task('identity', [1], { id: 'same-3' });
    const file: CanvasFile = {
      canvas: { type: 'group', tasks, link: [], link_error: [] },
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
    };
    const ids = planRun(file, catalogue, 'r').tasks.map((t) => t.id);
    expect(ids.slice(0, 5)).toEqual(['same', 'same-3', 'same-2', 'same-4', 'same-5']);
    expect(ids[99_999]).toBe('same-100000');
    expect(new Set(ids).size).toBe(100_000);
  });
});
