/** The run reducer and the SPEC 2.3 report, on hand-written traces and on a simulated one. */
import { describe, expect, it } from 'vitest';
import { chain, chord, task } from '../canvas/build';
import { runCanvas } from '../sim/testing/harness';
import type { RunEvent, TaskError } from './events';
import { reduceRun, reduceRunAll, toReport } from './reduceRun';

const err: TaskError = { type: 'ExpectedException', message: 'boom', args: ['boom'] };
const base = { run_id: 'r' };
let seq = 0;
function ev(at: number, e: Record<string, unknown>): RunEvent {
  seq += 1;
  return { ...base, seq, at, ...e } as RunEvent;
}

function trace(): RunEvent[] {
  seq = 0;
  return [
    ev(0, {
      type: 'run.started',
      tasks: [
        { task_id: 'a', name: 'add', origin: 'canvas', path: '' },
        { task_id: 'b', name: 'tsum', origin: 'canvas', path: 'x' },
      ],
    }),
    ev(0, { type: 'task.queued', task_id: 'a', name: 'add', attempt: 1 }),
    ev(1, { type: 'task.started', task_id: 'a', attempt: 1, worker: 'w1' }),
    ev(1, { type: 'task.started', task_id: 'a', attempt: 1, worker: 'w2' }),
    ev(5, { type: 'task.retried', task_id: 'a', attempt: 1, countdown_ms: 200, error: err }),
    ev(5, { type: 'task.queued', task_id: 'a', name: 'add', attempt: 2, eta_ms: 205 }),
    ev(205, { type: 'task.started', task_id: 'a', attempt: 2, worker: 'w1' }),
    ev(210, { type: 'task.succeeded', task_id: 'a', attempt: 2, result: 3 }),
    ev(210, { type: 'chord.progress', chord_id: 'c', done: 1, total: 1 }),
    ev(210, { type: 'task.failed', task_id: 'a', attempt: 2, error: err }),
    ev(211, { type: 'task.added', task: { task_id: 'cb', name: 'record', origin: 'link', path: 'link.0' } }),
    ev(212, { type: 'observation', observation: { kind: 'record', tag: null, value: 3 } }),
    ev(213, { type: 'task.failed', task_id: 'b', attempt: 0, error: err, marked: true }),
    ev(220, { type: 'run.finished', status: 'failure', error: err }),
  ];
}

describe('reduceRun', () => {
  it('folds states, attempts and history; ignores a duplicated started; never overwrites SUCCESS', () => {
    const view = trace().reduce<ReturnType<typeof reduceRun> | undefined>(
      (v, e) => reduceRun(v, e),
      undefined,
    );
    if (view === undefined) throw new Error('no view');
    const a = view.tasks.get('a');
    expect(a?.state).toBe('SUCCESS');
    expect(a?.attempts).toBe(2);
    expect(a?.worker).toBe('w1');
    expect(a?.history).toEqual([
      { attempt: 1, started_at: 1, finished_at: 5, outcome: 'retry', countdown_ms: 200, error: err },
      { attempt: 2, started_at: 205, finished_at: 210, outcome: 'success' },
    ]);
    expect(view.tasks.get('b')).toMatchObject({ state: 'FAILURE', attempts: 0, marked: true });
    expect(view.chords).toEqual(new Map([['c', { done: 1, total: 1 }]]));
    expect(view.order).toEqual(['a', 'b', 'cb']);
    expect(view).toMatchObject({ status: 'failure', seq: 14, finished_at: 220 });
  });

  it('is pure: the input view is not modified; reduceRunAll equals the one-by-one fold', () => {
    const events = trace();
    const half = reduceRunAll(events.slice(0, 6));
    const snapshot = JSON.stringify(half);
    const next = reduceRun(half, events[6] as RunEvent);
    expect(JSON.stringify(half)).toBe(snapshot);
    expect(next.tasks.get('a')?.state).toBe('STARTED');
    const all = reduceRunAll(events.slice(6), half);
    expect(JSON.stringify(half)).toBe(snapshot);
    const oneByOne = events.reduce<ReturnType<typeof reduceRun> | undefined>(
      (v, e) => reduceRun(v, e),
      undefined,
    );
    expect(all).toEqual(oneByOne);
  });

  it('shows a retry countdown while waiting', () => {
    const view = reduceRunAll(trace().slice(0, 6));
    expect(view.tasks.get('a')).toMatchObject({
      state: 'RETRY',
      countdown_ms: 200,
      eta_ms: 205,
      queued: true,
    });
  });
});

describe('toReport (SPEC 2.3)', () => {
  it('has the exact shape: every task, PENDING for never-ran, times from run start', () => {
    const r = runCanvas(
      chain(
        task('add', [1, 1], { id: 'a' }),
        chord([task('fail', [], { id: 'f' }), task('add', [1], { id: 'p' })], task('tsum', [], { id: 's' })),
      ),
    );
    const report = r.report;
    expect(Object.keys(report)).toEqual([
      'run_id',
      'status',
      'error',
      'tasks',
      'observations',
      'makespan_ms',
    ]);
    expect(report.tasks.map((t) => t.id)).toEqual(['a', 'f', 'p', 's']);
    const a = report.tasks[0];
    expect(Object.keys(a ?? {})).toEqual([
      'id',
      'name',
      'state',
      'result',
      'attempts',
      'started_at',
      'finished_at',
      'worker',
      'history',
    ]);
    expect(r.task('s')).toEqual({
      id: 's',
      name: 'tsum',
      state: 'FAILURE',
      error: {
        type: 'ChordError',
        message: "Dependency f raised ExpectedException('Task expected to fail', 2)",
        args: ["Dependency f raised ExpectedException('Task expected to fail', 2)"],
      },
      attempts: 0,
      finished_at: report.makespan_ms,
      history: [],
    });
    const pending = runCanvas(
      chain(
        taskSiFail(),
        task('add', [1], { id: 'never' }),
        chord([task('add', [1], { id: 'h' })], task('tsum', [], { id: 'b' })),
      ),
    );
    expect(pending.task('h')).toEqual({ id: 'h', name: 'add', state: 'PENDING', attempts: 0, history: [] });
  });

  it('a success report has result and no error', () => {
    const report = toReport(reduceRunAll(runCanvas(task('add', [2, 3])).events));
    expect(report).toMatchObject({ status: 'success', result: 5 });
    expect('error' in report).toBe(false);
  });
});

function taskSiFail() {
  return task('fail', [], { immutable: true });
}
