/** Canvas JSON short forms of Celery's xmap/xstarmap/chunks, their validation and `chunks.group()`. */
import { describe, expect, it } from 'vitest';
import { canvasFileFromJson, toCanvasJson } from './canvasJson';
import { createCatalogue } from './catalogue';
import { chunksGroup, mapSummary, mapTaskTemplate, partsOf } from './chunks';
import type { Json, TaskNode } from './model';
import { validateCanvas } from './validate';

const catalogue = createCatalogue();

function read(json: Json) {
  return canvasFileFromJson(json);
}

describe('xmap / xstarmap / chunks', () => {
  it('reads the short form into Celery’s own shape and writes it back', () => {
    const json = { chunks: { task: { task: 'add', args: [1] }, items: [[1], [2], [3]], n: 2 }, id: 'ck' };
    const r = read(json);
    expect(r.ok && r.value.canvas).toMatchObject({
      type: 'task',
      task: 'celery.chunks',
      immutable: true,
      id: 'ck',
      kwargs: {
        task: { task: 'add', args: [1], kwargs: {}, options: {}, subtask_type: null, immutable: false },
        it: [[1], [2], [3]],
        n: 2,
      },
    });
    expect(r.ok && toCanvasJson(r.value)).toEqual(json);
  });

  it('says what is wrong with a malformed short form', () => {
    const r = read({ xstarmap: { task: 'add', items: [1], extra: 1 } });
    expect(r.ok).toBe(false);
    const messages = r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual([
      'canvas.xstarmap.extra: Unknown field "extra" in "xstarmap"; it has "task", "items".',
      'canvas.xstarmap.task: "task" must be a task node such as {"task": "add"}, not the string "add".',
      'canvas.xstarmap.items[0]: Each item is a list of arguments (task(*item)), not number 1.',
    ]);
    const n = read({ chunks: { task: { task: 'add' }, items: [], n: 0 } });
    expect(n.ok ? [] : n.problems.map((p) => p.path)).toEqual(['canvas.chunks.n']);
  });

  it('validates the inner task and the items of a plain celery.map task', () => {
    const bad: TaskNode = {
      type: 'task',
      task: 'celery.starmap',
      args: [],
      kwargs: { task: { task: 'nope' }, it: [[1], 2] },
      immutable: true,
      options: {},
      link: [],
      link_error: [],
    };
    const problems = validateCanvas(
      {
        canvas: bad,
        invoke: { args: [], kwargs: {} },
        config: { task_allow_error_cb_on_chord_header: false },
      },
      catalogue,
    );
    expect(problems.map((p) => p.message)).toEqual([
      'Unknown task "nope" in celery.starmap.',
      'Each item is a list of arguments (task(*item)), not number 2.',
    ]);
  });

  it('chunks.group(): parts of n, options to every part, labelled parts', () => {
    expect(partsOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    const node = mapTaskTemplate('celery.chunks') as TaskNode;
    const g = chunksGroup({ ...node, id: 'c', options: { queue: 'q' } });
    expect(
      g.tasks.map((t) => (t.type === 'task' ? [t.task, t.id, t.kwargs.it, t.options.queue] : null)),
    ).toEqual([
      [
        'celery.starmap',
        'c-0',
        [
          [1, 2],
          [3, 4],
        ],
        'q',
      ],
      ['celery.starmap', 'c-1', [[5, 6]], 'q'],
    ]);
    expect(mapSummary(node)).toBe('chunks(add, 3 items, n=2) → 2 tasks');
    expect(mapTaskTemplate('add')).toBeNull();
  });

  it('palette templates are valid, runnable canvases', () => {
    for (const name of ['celery.map', 'celery.starmap', 'celery.chunks']) {
      const canvas = mapTaskTemplate(name) as TaskNode;
      const problems = validateCanvas(
        { canvas, invoke: { args: [], kwargs: {} }, config: { task_allow_error_cb_on_chord_header: false } },
        catalogue,
      );
      expect(problems, name).toEqual([]);
    }
  });
});
