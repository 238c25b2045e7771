/**
 * A 10,000-task canvas through every view model the panel derives (timeline, state at an instant,
 * critical path, path map, editor overlay). Correctness is asserted; the timings are printed as JSON
 * lines for the record (no timed assertion).
 */
import { describe, expect, it } from 'vitest';
import type { CanvasFile, TaskNode } from '../../../lib/canvas/model';
import { runOne } from '../runSimulation';
import { criticalPath } from './criticalPath';
import { toRunStatusSlice } from './editorSync';
import { runPathMap } from './pathMap';
import { createRunCursor, runStateAt } from './runState';
import { buildTimeline } from './timeline';

function task(i: number): TaskNode & { uid: string } {
  return {
    type: 'task',
    task: 'add',
    args: [i, 1],
    kwargs: {},
    immutable: false,
    options: {},
    link: [],
    link_error: [],
    uid: `u${i}`,
  };
}

const N = 10_000;
const file: CanvasFile = {
  canvas: {
    type: 'chord',
    header: Array.from({ length: N }, (_, i) => task(i)),
    body: { ...task(N), task: 'tsum', args: [] },
    link: [],
    link_error: [],
  },
  invoke: { args: [], kwargs: {} },
  config: { task_allow_error_cb_on_chord_header: false },
};

function timed<T>(name: string, f: () => T): T {
  const t0 = performance.now();
  const value = f();
  console.log(
    JSON.stringify({
      bench: `sim.panel.${name}`,
      tasks: N + 1,
      ms: Math.round((performance.now() - t0) * 10) / 10,
    }),
  );
  return value;
}

describe('a 10,000-task chord through the panel view models', () => {
  it('derives every view and agrees with the report', () => {
    const { events, report } = timed('simulate', () => runOne(file, { seed: 1, workers: 2, concurrency: 8 }));
    const timeline = timed('timeline', () => buildTimeline(events));
    const mid = timed('state_at_half', () => runStateAt(events, report.makespan_ms / 2));
    const final = runStateAt(events, Number.POSITIVE_INFINITY);
    const critical = timed('critical_path', () => criticalPath(events));
    const map = timed('path_map', () => runPathMap(file));
    const slice = timed('editor_overlay', () => toRunStatusSlice(mid, file.canvas, map, undefined));
    timed('editor_overlay_next_frame', () => toRunStatusSlice(mid, file.canvas, map, slice));
    // Playback: 60 frames over the run, forward, with the incremental cursor.
    const cursor = createRunCursor(events);
    let frame = cursor.at(0);
    timed('playback_60_frames', () => {
      for (let i = 1; i <= 60; i += 1) frame = cursor.at((report.makespan_ms * i) / 60);
    });
    expect([...frame.tasks.values()].every((t) => t.celery === 'SUCCESS')).toBe(true);
    const back = cursor.at(report.makespan_ms / 2);
    expect([...back.tasks.values()].map((t) => t.status)).toEqual(
      [...mid.tasks.values()].map((t) => t.status),
    );

    expect(report.status).toBe('success');
    expect(timeline.bars).toHaveLength(N + 1);
    expect(timeline.lanes).toHaveLength(16);
    expect(final.chords.get('')).toEqual({ chord_id: '', done: N, total: N });
    expect([...final.tasks.values()].every((t) => t.celery === 'SUCCESS')).toBe(true);
    expect(critical.tasks.at(-1)).toBe(report.tasks.find((t) => t.name === 'tsum')?.id);
    expect(map.taskPaths.get(`u${N}`)).toEqual(['body']);
    expect(Object.keys(slice.byPath)).toHaveLength(N + 1);
    expect([...mid.tasks.values()].some((t) => t.status === 'success')).toBe(true);
    expect([...mid.tasks.values()].some((t) => t.status !== 'success')).toBe(true);
  });
});
