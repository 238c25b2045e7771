import { describe, expect, it } from 'vitest';
import { canvasFile, chain, group, task } from '@/lib/canvas/build';
import type { ChainNode, ChordNode, TaskNode } from '@/lib/canvas/model';
import { replayedNames, retriedRunId, retryComment } from './replayNames';
import { type FinalTaskState, retryFromFailed } from './retryFromFailed';

const P = { raw: 'hello world', scenario: 'partial_fail' };
const tutorial = canvasFile(
  chain(
    task('TASK_A', [null], { kwargs: { payload: P } }),
    group(task('TASK_B', [], { kwargs: { payload: P } }), task('TASK_C', [], { kwargs: { payload: P } })),
    task('TASK_D', [], { kwargs: { payload: P } }),
  ),
);

function finals(list: FinalTaskState[]): Map<string, FinalTaskState> {
  return new Map(list.map((f) => [f.task_id, f]));
}

describe('retry from failed', () => {
  it('replays the partial_fail successes and reruns B and D', () => {
    const aResult = { processed: 'HELLO WORLD', length: 11, model: 'text-preprocessor-v1', retries_used: 0 };
    const cResult = { c_result: 'classified by C: positive (0.92)' };
    const preview = retryFromFailed(
      tutorial,
      finals([
        { task_id: 'task.tasks.0', name: 'TASK_A', outcome: 'success', result: aResult },
        { task_id: 'task.tasks.1.header.0', name: 'TASK_B', outcome: 'failure' },
        { task_id: 'task.tasks.1.header.1', name: 'TASK_C', outcome: 'success', result: cResult },
      ]),
    );
    expect(preview.rerun).toEqual([
      { task_id: 'task.tasks.1.header.0', name: 'TASK_B', reason: 'failed' },
      { task_id: 'task.tasks.1.body', name: 'TASK_D', reason: 'never ran' },
    ]);
    expect(preview.reused.map((r) => r.task_id)).toEqual(['task.tasks.0', 'task.tasks.1.header.1']);
    const root = preview.file.canvas as ChainNode;
    const a = root.tasks[0] as TaskNode;
    expect(a).toMatchObject({ task: 'identity', args: [aResult], immutable: true, id: 'task.tasks.0' });
    const chord = root.tasks[1] as ChordNode;
    expect((chord.header[0] as TaskNode).task).toBe('TASK_B');
    expect((chord.header[0] as TaskNode).id).toBe('task.tasks.1.header.0');
    expect((chord.header[1] as TaskNode).args).toEqual([cResult]);
    expect((chord.body as TaskNode).task).toBe('TASK_D');
  });

  it('reruns everything when nothing succeeded, keeping the shape', () => {
    const preview = retryFromFailed(tutorial, finals([]));
    expect(preview.reused).toEqual([]);
    expect(preview.rerun.map((r) => r.name)).toEqual(['TASK_A', 'TASK_B', 'TASK_C', 'TASK_D']);
  });

  it('keeps id labels verbatim', () => {
    const file = canvasFile(chain(task('add', [1, 2], { id: 'first' }), task('add', [3], { id: 'second' })));
    const preview = retryFromFailed(
      file,
      finals([{ task_id: 'first', name: 'add', outcome: 'success', result: 3 }]),
    );
    expect(preview.reused).toEqual([{ task_id: 'first', name: 'add' }]);
    expect(preview.rerun).toEqual([{ task_id: 'second', name: 'add', reason: 'never ran' }]);
  });
});

describe('replayed task names', () => {
  it('labels a replayed identity by the task it stands for, found through the retry comment', () => {
    const comment = retryComment('0b6f-run_1');
    expect(retriedRunId(comment)).toBe('0b6f-run_1');
    expect(retriedRunId('nightly rerun')).toBeUndefined();
    expect(retriedRunId(`${comment} <script>`)).toBeUndefined();
    const names = replayedNames(
      [
        { task_id: 'task.tasks.0', name: 'identity' },
        { task_id: 'task.tasks.1.header.0', name: 'TASK_B' },
        { task_id: 'mine', name: 'identity' },
      ],
      new Map([
        ['task.tasks.0', 'TASK_A'],
        ['task.tasks.1.header.0', 'TASK_B'],
        ['mine', 'identity'],
      ]),
    );
    expect([...names]).toEqual([['task.tasks.0', 'TASK_A']]);
  });
});
