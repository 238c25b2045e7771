/**
 * Hand-written traces for the model tests: the tutorial's `flaky` and `partial_fail` runs as the
 * seed's outcome table describes them (seed-tutorial-and-director.md 1.6).
 */
import type { RunEvent, UnsequencedRunEvent } from '../../../lib/protocol/events';

function number(events: UnsequencedRunEvent[]): RunEvent[] {
  return events.map((e, i) => ({ ...e, seq: i + 1 }) as RunEvent);
}

const run_id = 'r1';
const tasks = [
  { task_id: 'A', name: 'TASK_A', origin: 'canvas' as const, path: 'tasks.0' },
  { task_id: 'B', name: 'TASK_B', origin: 'canvas' as const, path: 'tasks.1.header.0' },
  { task_id: 'C', name: 'TASK_C', origin: 'canvas' as const, path: 'tasks.1.header.1' },
  { task_id: 'D', name: 'TASK_D', origin: 'canvas' as const, path: 'tasks.1.body' },
];
const http500 = { type: 'HTTPError', message: '500 Server Error' };

/** flaky: A fails twice (retry after 2 s and 4 s), then B ∥ C, then D. */
export const flakyTrace: RunEvent[] = number([
  { run_id, at: 0, type: 'run.started', tasks },
  { run_id, at: 0, type: 'task.queued', task_id: 'A', name: 'TASK_A', attempt: 1 },
  { run_id, at: 0, type: 'task.started', task_id: 'A', attempt: 1, worker: 'w1', args: [null] },
  { run_id, at: 50, type: 'task.retried', task_id: 'A', attempt: 1, countdown_ms: 2000, error: http500 },
  { run_id, at: 2050, type: 'task.queued', task_id: 'A', name: 'TASK_A', attempt: 2 },
  { run_id, at: 2050, type: 'task.started', task_id: 'A', attempt: 2, worker: 'w1' },
  { run_id, at: 2100, type: 'task.retried', task_id: 'A', attempt: 2, countdown_ms: 4000, error: http500 },
  { run_id, at: 6100, type: 'task.queued', task_id: 'A', name: 'TASK_A', attempt: 3 },
  { run_id, at: 6100, type: 'task.started', task_id: 'A', attempt: 3, worker: 'w1' },
  { run_id, at: 6150, type: 'task.succeeded', task_id: 'A', attempt: 3, result: { retries_used: 2 } },
  { run_id, at: 6150, type: 'task.queued', task_id: 'B', name: 'TASK_B', attempt: 1 },
  { run_id, at: 6150, type: 'task.queued', task_id: 'C', name: 'TASK_C', attempt: 1 },
  { run_id, at: 6150, type: 'task.started', task_id: 'B', attempt: 1, worker: 'w1' },
  { run_id, at: 6150, type: 'task.started', task_id: 'C', attempt: 1, worker: 'w1' },
  { run_id, at: 6200, type: 'task.succeeded', task_id: 'B', attempt: 1, result: 'b' },
  { run_id, at: 6200, type: 'chord.progress', chord_id: 'tasks.1', done: 1, total: 2 },
  { run_id, at: 6230, type: 'task.succeeded', task_id: 'C', attempt: 1, result: 'c' },
  { run_id, at: 6230, type: 'chord.progress', chord_id: 'tasks.1', done: 2, total: 2 },
  { run_id, at: 6230, type: 'task.queued', task_id: 'D', name: 'TASK_D', attempt: 1 },
  { run_id, at: 6230, type: 'task.started', task_id: 'D', attempt: 1, worker: 'w1' },
  { run_id, at: 6235, type: 'task.succeeded', task_id: 'D', attempt: 1, result: { final: 'merge complete' } },
  { run_id, at: 6235, type: 'run.finished', status: 'success', result: { final: 'merge complete' } },
]);

/** partial_fail: B fails 4 times 3 s apart; D is marked FAILURE with a ChordError and never runs. */
export const partialFailTrace: RunEvent[] = number([
  { run_id, at: 0, type: 'run.started', tasks },
  { run_id, at: 0, type: 'task.queued', task_id: 'A', name: 'TASK_A', attempt: 1 },
  { run_id, at: 0, type: 'task.started', task_id: 'A', attempt: 1, worker: 'w1' },
  { run_id, at: 50, type: 'task.succeeded', task_id: 'A', attempt: 1, result: 'a' },
  { run_id, at: 50, type: 'task.queued', task_id: 'B', name: 'TASK_B', attempt: 1 },
  { run_id, at: 50, type: 'task.queued', task_id: 'C', name: 'TASK_C', attempt: 1 },
  { run_id, at: 50, type: 'task.started', task_id: 'B', attempt: 1, worker: 'w1' },
  { run_id, at: 50, type: 'task.started', task_id: 'C', attempt: 1, worker: 'w1' },
  { run_id, at: 100, type: 'task.retried', task_id: 'B', attempt: 1, countdown_ms: 3000, error: http500 },
  { run_id, at: 110, type: 'task.succeeded', task_id: 'C', attempt: 1, result: 'c' },
  { run_id, at: 110, type: 'chord.progress', chord_id: 'tasks.1', done: 1, total: 2 },
  { run_id, at: 3100, type: 'task.queued', task_id: 'B', name: 'TASK_B', attempt: 2 },
  { run_id, at: 3100, type: 'task.started', task_id: 'B', attempt: 2, worker: 'w1' },
  { run_id, at: 3150, type: 'task.retried', task_id: 'B', attempt: 2, countdown_ms: 3000, error: http500 },
  { run_id, at: 6150, type: 'task.queued', task_id: 'B', name: 'TASK_B', attempt: 3 },
  { run_id, at: 6150, type: 'task.started', task_id: 'B', attempt: 3, worker: 'w1' },
  { run_id, at: 6200, type: 'task.retried', task_id: 'B', attempt: 3, countdown_ms: 3000, error: http500 },
  { run_id, at: 9200, type: 'task.queued', task_id: 'B', name: 'TASK_B', attempt: 4 },
  { run_id, at: 9200, type: 'task.started', task_id: 'B', attempt: 4, worker: 'w1' },
  { run_id, at: 9250, type: 'task.failed', task_id: 'B', attempt: 4, error: http500 },
  { run_id, at: 9250, type: 'chord.progress', chord_id: 'tasks.1', done: 2, total: 2 },
  {
    run_id,
    at: 9250,
    type: 'task.failed',
    task_id: 'D',
    attempt: 0,
    marked: true,
    error: { type: 'ChordError', message: "Dependency B raised HTTPError('500 Server Error')" },
  },
  { run_id, at: 9250, type: 'run.finished', status: 'failure', error: http500 },
]);
