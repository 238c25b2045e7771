import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { CanvasFile, CanvasNode, TaskNode } from '../../../lib/canvas/model';
import type { RunEvent } from '../../../lib/protocol/events';
import { criticalPath } from './criticalPath';
import { toRunStatusSlice } from './editorSync';
import { flakyTrace, partialFailTrace } from './fixtures';
import { percentile, summarizeRuns } from './monteCarloStats';
import { runPathMap } from './pathMap';
import { createRunCursor, describeStatus, runStateAt } from './runState';
import { buildTimeline } from './timeline';
import { listTasks, withFaults, withRetryPolicy } from './variants';

describe('runStateAt (time travel)', () => {
  it('shows A waiting to retry with its countdown, then running attempt 3, then the final states', () => {
    const at1000 = runStateAt(flakyTrace, 1000);
    const a = at1000.tasks.get('A');
    expect(a?.status).toBe('retry_wait');
    expect(a?.retryAt).toBe(2050);
    expect(describeStatus(a!, 1000)).toBe('retry 2 in 1.05 s');
    expect(at1000.tasks.get('B')?.status).toBe('pending');

    const running = runStateAt(flakyTrace, 6120).tasks.get('A');
    expect(running?.status).toBe('running');
    expect(running?.attempt).toBe(3);

    const final = runStateAt(flakyTrace, Number.POSITIVE_INFINITY);
    expect([...final.tasks.values()].map((t) => [t.task_id, t.celery, t.attempt])).toEqual([
      ['A', 'SUCCESS', 3],
      ['B', 'SUCCESS', 1],
      ['C', 'SUCCESS', 1],
      ['D', 'SUCCESS', 1],
    ]);
    expect(final.finished?.status).toBe('success');
    expect(final.chords.get('tasks.1')).toEqual({ chord_id: 'tasks.1', done: 2, total: 2 });
  });

  it('shows chord progress k of n at an instant and the marked chord body as upstream failed', () => {
    expect(runStateAt(partialFailTrace, 5000).chords.get('tasks.1')?.done).toBe(1);
    const final = runStateAt(partialFailTrace, Number.POSITIVE_INFINITY);
    expect(final.tasks.get('B')?.status).toBe('failure');
    expect(final.tasks.get('B')?.attempt).toBe(4);
    expect(final.tasks.get('D')?.status).toBe('upstream_failed');
    expect(final.tasks.get('D')?.celery).toBe('FAILURE');
    expect(final.byPath.get('tasks.1.body')).toEqual(['D']);
  });

  it('marks tasks still waiting when the run finished as never run', () => {
    const events: RunEvent[] = [
      {
        run_id: 'r',
        seq: 1,
        at: 0,
        type: 'run.started',
        tasks: [{ task_id: 'x', name: 'add', origin: 'canvas', path: '' }],
      },
      { run_id: 'r', seq: 2, at: 5, type: 'run.finished', status: 'failure' },
    ];
    expect(runStateAt(events, 10).tasks.get('x')?.status).toBe('not_run');
    expect(runStateAt(events, 1).tasks.get('x')?.status).toBe('pending');
  });
});

describe('createRunCursor (incremental time travel)', () => {
  test.prop([
    fc.constantFrom(flakyTrace, partialFailTrace),
    fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 30 }),
  ])(
    'gives the same state as a full fold at every instant, in any order of instants, and never mutates what it handed out',
    (events, instants) => {
      const cursor = createRunCursor(events);
      const handed: Array<{ t: number; snapshot: string; state: ReturnType<typeof runStateAt> }> = [];
      for (const t of instants) {
        const state = cursor.at(t);
        const expected = runStateAt(events, t);
        expect([...state.tasks.values()]).toEqual([...expected.tasks.values()]);
        expect([...state.chords.values()]).toEqual([...expected.chords.values()]);
        expect(state.finished).toEqual(expected.finished);
        handed.push({ t, snapshot: JSON.stringify([...state.tasks.values()]), state });
      }
      for (const h of handed) expect(JSON.stringify([...h.state.tasks.values()])).toBe(h.snapshot);
    },
  );
});

describe('buildTimeline', () => {
  it('draws one bar per attempt, backoff gaps as connectors, parallel attempts on separate slots', () => {
    const tl = buildTimeline(flakyTrace);
    expect(tl.bars.map((b) => [b.task_id, b.attempt, b.start, b.outcome])).toEqual([
      ['A', 1, 0, 'retry'],
      ['A', 2, 2050, 'retry'],
      ['A', 3, 6100, 'success'],
      ['B', 1, 6150, 'success'],
      ['C', 1, 6150, 'success'],
      ['D', 1, 6230, 'success'],
    ]);
    expect(tl.connectors).toEqual([
      { from: 0, to: 1, countdown_ms: 2000 },
      { from: 1, to: 2, countdown_ms: 4000 },
    ]);
    const b = tl.bars[3];
    const c = tl.bars[4];
    expect(b?.lane).not.toBe(c?.lane);
    expect(tl.lanes.map((l) => l.label)).toEqual(['w1 #1', 'w1 #2']);
    expect(tl.endMs).toBe(6235);
  });

  test.prop([
    fc.array(
      fc.record({
        start: fc.integer({ min: 0, max: 1000 }),
        len: fc.integer({ min: 0, max: 300 }),
        worker: fc.constantFrom('w1', 'w2'),
      }),
      {
        maxLength: 40,
      },
    ),
  ])('never puts overlapping attempts on the same lane', (attempts) => {
    const events: RunEvent[] = [];
    let seq = 1;
    attempts.forEach((a, i) => {
      events.push({
        run_id: 'r',
        seq: seq++,
        at: a.start,
        type: 'task.started',
        task_id: `t${i}`,
        attempt: 1,
        worker: a.worker,
      });
      events.push({
        run_id: 'r',
        seq: seq++,
        at: a.start + a.len,
        type: 'task.succeeded',
        task_id: `t${i}`,
        attempt: 1,
        result: null,
      });
    });
    const tl = buildTimeline(events);
    expect(tl.bars).toHaveLength(attempts.length);
    for (const x of tl.bars)
      for (const y of tl.bars) {
        if (x === y || x.lane !== y.lane) continue;
        expect(x.worker).toBe(y.worker);
        expect(x.end <= y.start || y.end <= x.start).toBe(true);
      }
  });
});

describe('criticalPath', () => {
  it('follows the enabling completions back from the last task', () => {
    expect(criticalPath(flakyTrace).tasks).toEqual(['A', 'C', 'D']);
    expect(criticalPath(flakyTrace).span_ms).toBe(6235);
    expect(criticalPath(partialFailTrace).tasks).toEqual(['A', 'B']);
  });
});

describe('Monte Carlo statistics', () => {
  it('computes nearest-rank percentiles, success rate and a histogram covering every run', () => {
    const samples = Array.from({ length: 100 }, (_, i) => ({
      seed: i,
      status: i % 10 === 0 ? ('failure' as const) : ('success' as const),
      makespan_ms: (i + 1) * 10,
      retries: i % 3,
    }));
    const s = summarizeRuns(samples, 10);
    expect(s.successRate).toBe(0.9);
    expect([s.p50, s.p95, s.p99]).toEqual([500, 950, 990]);
    expect(s.histogram.reduce((n, b) => n + b.success + b.failure, 0)).toBe(100);
    expect(s.histogram.reduce((n, b) => n + b.failure, 0)).toBe(10);
    expect(s.retriesMax).toBe(2);
    expect(percentile([], 0.5)).toBe(0);
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 })])(
    'p50 ≤ p95 ≤ p99 ≤ max and every sample lands in a bin',
    (makespans) => {
      const s = summarizeRuns(
        makespans.map((m, i) => ({ seed: i, status: 'success', makespan_ms: m, retries: 0 })),
      );
      expect(s.p50).toBeLessThanOrEqual(s.p95);
      expect(s.p95).toBeLessThanOrEqual(s.p99);
      expect(s.p99).toBeLessThanOrEqual(s.max);
      expect(s.histogram.reduce((n, b) => n + b.success, 0)).toBe(makespans.length);
    },
  );
});

function task(name: string, uid: string, extra: Partial<TaskNode> = {}): TaskNode & { uid: string } {
  return {
    type: 'task',
    task: name,
    args: [],
    kwargs: {},
    immutable: false,
    options: {},
    link: [],
    link_error: [],
    uid,
    ...extra,
  };
}

const tutorial: CanvasFile = {
  canvas: {
    type: 'chain',
    uid: 'u1',
    link: [],
    link_error: [],
    tasks: [
      task('TASK_A', 'uA'),
      {
        type: 'group',
        uid: 'uG',
        link: [],
        link_error: [],
        tasks: [task('TASK_B', 'uB'), task('TASK_C', 'uC')],
      } as CanvasNode,
      task('TASK_D', 'uD', { link_error: [task('on_error', 'uE')] }),
    ],
  } as CanvasNode,
  invoke: { args: [], kwargs: {} },
  config: { task_allow_error_cb_on_chord_header: false },
};

describe('runPathMap', () => {
  it('maps drawn tasks to the normalized paths run events use, and the drawn group to its chord', () => {
    const map = runPathMap(tutorial);
    expect(Object.fromEntries(map.taskPaths)).toEqual({
      uA: ['tasks.0'],
      uB: ['tasks.1.header.0'],
      uC: ['tasks.1.header.1'],
      uD: ['tasks.1.body'],
      uE: ['tasks.1.body.link_error.0'],
    });
    expect(Object.fromEntries(map.chordPaths)).toEqual({ uG: 'tasks.1' });
  });
});

describe('variants', () => {
  it('injects faults and overrides retry options on copies, by written path', () => {
    expect(listTasks(tutorial).map((t) => t.path)).toEqual([
      'tasks.0',
      'tasks.1.tasks.0',
      'tasks.1.tasks.1',
      'tasks.2',
      'tasks.2.link_error.0',
    ]);
    const faulty = withFaults(tutorial, { 'tasks.1.tasks.0': { down: true } });
    const b = (faulty.canvas as { tasks: CanvasNode[] }).tasks[1] as { tasks: TaskNode[] };
    expect(b.tasks[0]?.sim).toEqual({ down: true });
    expect(
      ((tutorial.canvas as { tasks: CanvasNode[] }).tasks[1] as { tasks: TaskNode[] }).tasks[0]?.sim,
    ).toBeUndefined();
    const tuned = withRetryPolicy(tutorial, { options: { max_retries: 7 }, paths: ['tasks.0'] });
    const steps = (tuned.canvas as { tasks: CanvasNode[] }).tasks;
    expect((steps[0] as TaskNode).options.max_retries).toBe(7);
    expect((steps[2] as TaskNode).options.max_retries).toBeUndefined();
  });
});

describe('toRunStatusSlice (editor overlay)', () => {
  it('keys states by the written paths the editor draws and keeps unchanged entries', () => {
    const map = runPathMap(tutorial);
    const mid = toRunStatusSlice(runStateAt(partialFailTrace, 4000), tutorial.canvas, map, undefined);
    expect(mid.byPath['tasks.1.tasks.0']).toEqual({ state: 'RETRY', attempt: 2, countdown_ms: 2150 });
    expect(mid.byPath['tasks.1.tasks.1']).toEqual({ state: 'SUCCESS', attempt: 1 });
    expect(mid.byPath['tasks.1']).toEqual({ state: 'STARTED', progress: { done: 1, total: 2 } });
    expect(mid.byPath['tasks.2']).toEqual({ state: 'PENDING' });
    const later = toRunStatusSlice(runStateAt(partialFailTrace, 4100), tutorial.canvas, map, mid);
    expect(later.byPath['tasks.1.tasks.1']).toBe(mid.byPath['tasks.1.tasks.1']);
    const end = toRunStatusSlice(
      runStateAt(partialFailTrace, Number.POSITIVE_INFINITY),
      tutorial.canvas,
      map,
      later,
    );
    expect(end.byPath['tasks.2']).toEqual({ state: 'FAILURE', upstream_failed: true });
    expect(end.byTaskId.get('B')).toEqual({ state: 'FAILURE', attempt: 4 });
  });
});
