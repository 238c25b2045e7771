import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbPlannableCanvasFile } from '../engine/arbPlannable';
import { planRun } from '../engine/plan';
import { catalogue } from '../sim/testing/harness';
import { canvasFile, chain, chord, group, task, withLinkError } from './build';
import { plannedTaskBound } from './expansion';
import { API_LIMITS, readCanvasValue } from './gate';
import type { CanvasNode } from './model';

describe('plannedTaskBound', () => {
  test.prop([arbPlannableCanvasFile({ maxDepth: 4, maxWidth: 4 })], { numRuns: 300 })(
    'is never below what the planner makes',
    (file) => {
      expect(plannedTaskBound(file.canvas)).toBeGreaterThanOrEqual(
        planRun(file, catalogue, 'r').tasks.length,
      );
    },
  );

  it('is exact for errbacks on groups and chains, and for chunks', () => {
    const eb = task('on_error_id', []);
    const g: CanvasNode = {
      ...group(task('add', [1, 1]), task('add', [2, 2]), task('add', [3, 3])),
      link_error: [eb, task('on_error_id', [1])],
    };
    expect(plannedTaskBound(g)).toBe(9);
    expect(planRun(canvasFile(g), catalogue, 'r').tasks).toHaveLength(9);
    const c: CanvasNode = { ...chain(task('add', [1, 1]), g), link_error: [eb] };
    // The chain's errback reaches its four tasks; the group's two reach its three.
    expect(plannedTaskBound(c)).toBe(4 + 4 + 6);
    const chunks = task('celery.chunks', [], {
      kwargs: {
        task: { task: 'add' },
        it: [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
        n: 2,
      },
    });
    expect(plannedTaskBound(chunks)).toBe(2);
  });
});

describe('plannedTaskBound counts the steps a chord or group takes into its body', () => {
  const eb = task('on_error_id', []);
  const planned = (node: CanvasNode) => planRun(canvasFile(node), catalogue, 'r').tasks.length;

  it('a chord in a chain: `chord | x` is `chord(header, body | x)`, so its errback reaches x', () => {
    // Found by the property test (seed 161439997): the bound said 3, the planner made 4.
    const c = chain(
      withLinkError(chord([], chain(chord([], task('add', [1, 0])))), eb),
      task('delayed', [0]),
    );
    expect(planned(c)).toBe(4);
    expect(plannedTaskBound(c)).toBeGreaterThanOrEqual(4);
  });

  it('a chain whose errback is copied onto a group that a later step turns into a chord', () => {
    // `group | x` is `chord(group, x)`: the chain's errback, copied onto the group, reaches x too.
    const c = chain(
      withLinkError(chain(task('mul', [5, 3]), group(task('mul', [5]), task('mul', [8]))), eb),
      chord([], task('identity', [])),
    );
    expect(plannedTaskBound(c)).toBeGreaterThanOrEqual(planned(c));
  });

  it('a task chain with an errback followed by a wide group is not overcounted', () => {
    const c = chain(
      withLinkError(chain(task('add', [1, 1]), task('add', [2])), eb),
      group(...Array.from({ length: 1000 }, (_, i) => task('add', [i, i]))),
    );
    expect(plannedTaskBound(c)).toBe(planned(c));
  });
});

describe('the gate refuses canvases that would plan more than CHORDFLOW_MAX_TASKS', () => {
  const refused = (value: unknown) => {
    const read = readCanvasValue(value, API_LIMITS);
    expect(read.ok).toBe(false);
    return read.ok ? '' : (read.problems[0]?.message ?? '');
  };

  it('a group of 50,000 tasks with 50,000 errbacks (2.5 billion signatures once copied)', () => {
    const message = refused({
      group: Array.from({ length: 50_000 }, (_, i) => ({ task: 'add', args: [i, i] })),
      link_error: Array.from({ length: 49_999 }, (_, i) => ({ task: 'on_error_id', args: [i] })),
    });
    expect(message).toBe(
      'Celery copies an errback onto every task it covers (and a chunks node becomes one task per part): this canvas would plan up to 2,500,000,000 task signatures, more than 100000 (CHORDFLOW_MAX_TASKS); move the errbacks onto fewer tasks or split the canvas.',
    );
  });

  it('one chunks node of 200,000 one-item parts', () => {
    const it = Array.from({ length: 200_000 }, (_, i) => [i, i]);
    expect(refused({ chunks: { task: { task: 'add' }, items: it, n: 1 } })).toMatch(
      /up to 200,000 task signatures/,
    );
  });

  it('still takes a group of 50,000 tasks with one errback (100,000 signatures)', () => {
    const read = readCanvasValue(
      {
        group: Array.from({ length: 50_000 }, (_, i) => ({ task: 'add', args: [i, i] })),
        link_error: [{ task: 'on_error_id' }],
      },
      API_LIMITS,
    );
    expect(read.ok).toBe(true);
  });
});
