import { describe, expect, it } from 'vitest';
import { canvasFileFromJson } from './canvasJson';
import { isDerivedTaskId, readablePath, taskCaption } from './readablePath';

const file = canvasFileFromJson({
  chain: [
    { task: 'TASK_A', args: [null] },
    { chord: { header: [{ task: 'TASK_B', id: 'embed' }, { task: 'TASK_C' }], body: { task: 'TASK_D' } } },
  ],
  link_error: [{ task: 'on_error' }],
});
if (!file.ok) throw new Error('fixture');
const root = file.value.canvas;

describe('readable paths', () => {
  it('names chain steps, chord parts, callbacks and fields', () => {
    expect(readablePath('tasks.1.header.1', root)).toBe('step 2 › header 2');
    expect(readablePath('tasks.1.body', root)).toBe('step 2 › body');
    expect(readablePath('canvas.tasks[1].header[0].options.max_retries', root)).toBe(
      'step 2 › header 1: options.max_retries',
    );
    expect(readablePath('link_error.0', root)).toBe('errback 1');
    expect(readablePath('', root)).toBe('the whole canvas');
    expect(readablePath('tasks.0')).toBe('item 1');
  });

  it('shows the label the user wrote, else where the task sits', () => {
    expect(isDerivedTaskId('task.tasks.1.header.0', 'tasks.1.header.0')).toBe(true);
    expect(isDerivedTaskId('task.tasks.1.header.0-2', 'tasks.1.header.0')).toBe(true);
    expect(isDerivedTaskId('embed', 'tasks.1.header.0')).toBe(false);
    expect(taskCaption('embed', 'tasks.1.header.0', root)).toBe('embed');
    expect(taskCaption('task.tasks.1.header.1', 'tasks.1.header.1', root)).toBe('step 2 › header 2');
    expect(taskCaption('task', '', root)).toBe('the whole canvas');
  });
});
