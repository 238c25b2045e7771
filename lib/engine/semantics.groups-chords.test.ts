/** celery-semantics.md 5 (groups) and 6 (chords), each rule on its own small canvas. */
import { describe, expect, it } from 'vitest';
import { chain, chord, group, task, taskSi, withLink, withLinkError } from '../canvas/build';
import { runCanvas } from '../sim/testing/harness';

const slow = (x: number, ms: number, id: string) => task('delayed', [x], { id, kwargs: { ms } });

describe('groups (5)', () => {
  it('lists results in member order, not completion order', () => {
    const r = runCanvas(group(slow(1, 300, 'a'), slow(2, 100, 'b'), slow(3, 200, 'c')));
    expect(r.report.result).toEqual([1, 2, 3]);
    expect(r.task('b').finished_at ?? 0).toBeLessThan(r.task('a').finished_at ?? 0);
  });

  it('an empty group is [] at once; a one-member group is a one-element list; nested groups flatten', () => {
    expect(runCanvas(group()).report.result).toEqual([]);
    expect(runCanvas(group(task('add', [1, 1]))).report.result).toEqual([2]);
    expect(
      runCanvas(group(task('add', [1, 1]), group(task('add', [2, 2]), task('add', [3, 3])))).report.result,
    ).toEqual([2, 4, 6]);
  });

  it('prepends call-time args to every mutable member; immutable members ignore them', () => {
    const r = runCanvas(
      group(
        task('add', [1], { id: 'a' }),
        taskSi('add', [5, 5], { id: 'b' }),
        chain(task('add', [2], { id: 'c' }), task('mul', [3], { id: 'd' })),
      ),
      {
        args: [10],
      },
    );
    expect(r.report.result).toEqual([11, 10, 36]);
  });

  it('a failing member does not affect the others; link_error fires once per failing member', () => {
    const r = runCanvas(
      withLinkError(
        group(
          task('fail', [1], { id: 'f1' }),
          task('add', [1, 1], { id: 'ok' }),
          task('fail', [2], { id: 'f2' }),
        ),
        task('on_error_id', []),
      ),
    );
    expect(r.states()).toMatchObject({ f1: 'FAILURE', ok: 'SUCCESS', f2: 'FAILURE' });
    expect(r.observations.map((o) => (o as { task_id: string }).task_id).sort()).toEqual(['f1', 'f2']);
  });

  it('group.link: an immutable copy on the first member, run once with no argument as soon as it finishes', () => {
    const r = runCanvas(
      withLink(group(slow(1, 10, 'a'), slow(2, 500, 'b')), task('record', [], { id: 'cb' })),
    );
    const cb = r.report.tasks.find((t) => t.name === 'record');
    expect(cb?.result).toBeNull();
    expect(r.observations).toEqual([{ kind: 'record', tag: null, value: null }]);
    expect(cb?.started_at ?? Infinity).toBeLessThan(r.task('b').finished_at ?? 0);
  });
});

describe('chords (6.1)', () => {
  it('applies the body once with header results in header order', () => {
    const r = runCanvas(
      chord([slow(1, 300, 'a'), slow(2, 10, 'b')], task('add_to_all', [9], { id: 'body' })),
    );
    expect(r.value('body')).toEqual([10, 11]);
    expect(r.report.result).toEqual([10, 11]);
    expect(r.task('body').started_at ?? -1).toBeGreaterThanOrEqual(r.task('a').finished_at ?? Infinity);
  });

  it('an empty header applies the body with []; a one-member header gives a one-element list', () => {
    expect(runCanvas(chord([], task('tsum', [], { id: 's' }))).value('s')).toBe(0);
    expect(runCanvas(chord([], task('add_to_all', [9], { id: 's' }))).value('s')).toEqual([]);
    expect(runCanvas(chord([task('add', [1, 1])], task('identity', [], { id: 'i' }))).value('i')).toEqual([
      2,
    ]);
  });

  it('an immutable body ignores the results; call-time args go to the header only', () => {
    expect(runCanvas(chord([task('add', [1, 1])], taskSi('add', [1, 2], { id: 'b' }))).value('b')).toBe(3);
    const r = runCanvas(
      chord([task('add', [1], { id: 'h1' }), task('add', [2], { id: 'h2' })], task('tsum', [], { id: 'b' })),
      { args: [100] },
    );
    expect(r.value('b')).toBe(203);
  });

  it('header contributions: chain → last, group → flattened, chain ending in a group → nested list, chord → body', () => {
    const r = runCanvas(
      chord(
        [
          task('add', [1, 1]),
          chain(task('add', [1, 1]), task('add', [10])),
          group(task('add', [3, 3]), task('add', [4, 4])),
          chain(task('add', [1, 1]), group(task('add', [1]), task('add', [2]))),
          chord([task('add', [1, 1]), task('add', [2, 2])], task('tsum', [])),
        ],
        task('identity', [], { id: 'body' }),
      ),
    );
    expect(r.value('body')).toEqual([2, 12, 6, 8, [3, 4], 6]);
  });

  it('body kinds: a group body gets the list in every member; a chain body passes it to its first step', () => {
    const g = runCanvas(
      chord([task('add', [1, 1]), task('add', [2, 2])], group(task('tsum', []), task('add_to_all', [1]))),
    );
    expect(g.report.result).toEqual([6, [3, 5]]);
    const c = runCanvas(
      chord(
        [task('add', [1, 1]), task('add', [2, 2])],
        chain(task('tsum', []), task('mul', [10], { id: 'm' })),
      ),
    );
    expect(c.value('m')).toBe(60);
  });

  it('chord.link receives the body result; header retries do not re-run the body', () => {
    const r = runCanvas(
      withLink(
        chord([task('flaky', [2, 5], { id: 'fl' }), task('add', [1, 1])], task('tsum', [], { id: 'body' })),
        task('record', [], { id: 'cb' }),
      ),
    );
    expect(r.task('fl').attempts).toBe(3);
    expect(r.value('body')).toBe(7);
    expect(r.task('body').attempts).toBe(1);
    expect(r.value('cb')).toBe(7);
  });

  it('9/6.1: add_to_chord adds tasks the body waits for', () => {
    const r = runCanvas(
      chord(
        [task('add_to_chord_task', [[1, 2], 10], { id: 'adder' }), task('add', [5, 5])],
        task('identity', [], { id: 'body' }),
      ),
    );
    expect(r.value('body')).toEqual([0, 10, 11, 12]);
    expect(r.task('adder-added-0').state).toBe('SUCCESS');
    const outside = runCanvas(task('add_to_chord_task', [[1], 1], { id: 'x' }));
    expect(outside.task('x').error).toMatchObject({ type: 'ValueError' });
  });

  it('9: Task.replace keeps the task id, which ends with the replacement value, and the chain continues', () => {
    const r = runCanvas(
      chain(task('add_replaced', [1, 2], { id: 'rep' }), task('add', [10], { id: 'next' })),
    );
    expect(r.task('rep')).toMatchObject({ state: 'SUCCESS', result: 3, name: 'add', attempts: 2 });
    expect(r.value('next')).toBe(13);
  });
});

describe('chord header failure (6.2)', () => {
  it('does not short-circuit; the culprit is the first failure in header order, not in time', () => {
    const r = runCanvas(
      chord(
        [
          task('fail', [], { id: 'f1', kwargs: { ms: 500 } }),
          task('fail', [], { id: 'f2' }),
          slow(1, 800, 'ok'),
        ],
        task('tsum', [], { id: 'body' }),
      ),
    );
    expect(r.task('ok').state).toBe('SUCCESS');
    expect(r.task('body')).toMatchObject({ state: 'FAILURE', attempts: 0 });
    expect(r.task('body').error).toMatchObject({
      type: 'ChordError',
      message: "Dependency f1 raised ExpectedException('Task expected to fail')",
    });
    expect(r.report.error?.type).toBe('ChordError');
  });

  it('a chain member failing mid-way names its last step as culprit', () => {
    const r = runCanvas(
      chord(
        [chain(taskSi('fail', [3], { id: 'x' }), task('add', [1], { id: 'y' }))],
        task('tsum', [], { id: 'body' }),
      ),
    );
    expect(r.task('y').state).toBe('FAILURE');
    expect(r.task('body').error?.message).toBe(
      "Dependency y raised ExpectedException('Task expected to fail', 3)",
    );
  });

  it('body errbacks are called once with the body id (new style gets the ChordError)', () => {
    const r = runCanvas(
      withLinkError(
        chord([task('fail', [], { id: 'f' }), task('add', [1, 1])], task('tsum', [], { id: 'body' })),
        task('on_error', [], { kwargs: { tag: 'n' } }),
        task('on_error_id', [], { kwargs: { tag: 'o' } }),
      ),
    );
    expect(r.observations).toEqual([
      {
        kind: 'on_error',
        tag: 'n',
        task_id: 'body',
        exc_type: 'ChordError',
        exc: "Dependency f raised ExpectedException('Task expected to fail')",
      },
      { kind: 'on_error_id', tag: 'o', task_id: 'body' },
    ]);
  });

  it('a chain body: only its last step is marked; earlier steps stay PENDING; errbacks get the last id', () => {
    const r = runCanvas(
      withLinkError(
        chord(
          [task('fail', [], { id: 'f' })],
          chain(task('tsum', [], { id: 'z' }), task('add', [1], { id: 'w' })),
        ),
        task('on_error_id', []),
      ),
    );
    expect(r.states()).toMatchObject({ f: 'FAILURE', z: 'PENDING', w: 'FAILURE' });
    expect(r.observations).toEqual([{ kind: 'on_error_id', tag: null, task_id: 'w' }]);
  });

  it('a group body ends REVOKED and the chord-level errbacks are not called', () => {
    const r = runCanvas(
      withLinkError(
        chord(
          [task('fail', [], { id: 'f' })],
          group(task('tsum', [], { id: 'g1' }), task('tsum', [], { id: 'g2' })),
        ),
        task('on_error_id', []),
      ),
    );
    expect(r.states()).toMatchObject({ f: 'FAILURE', g1: 'REVOKED', g2: 'REVOKED' });
    expect(r.observations).toEqual([]);
    expect(r.report.status).toBe('failure');
  });

  it('6.3: a failing body fails with its own exception; chord errbacks fire once with the body id', () => {
    const r = runCanvas(
      withLinkError(chord([task('add', [1, 1])], task('fail', [], { id: 'body' })), task('on_error_id', [])),
    );
    expect(r.task('body').error?.type).toBe('ExpectedException');
    expect(r.observations).toEqual([{ kind: 'on_error_id', tag: null, task_id: 'body' }]);
  });

  it('6.4 (sane deviation): an inner header failure fails the outer chord; the errback fires once', () => {
    const r = runCanvas(
      withLinkError(
        chord(
          [chord([task('fail', [], { id: 'f' })], task('tsum', [], { id: 'inner' })), task('add', [1, 1])],
          task('tsum', [], { id: 'outer' }),
        ),
        task('on_error_id', []),
      ),
    );
    expect(r.task('inner').error?.type).toBe('ChordError');
    expect(r.task('outer').error?.message).toBe(
      `Dependency inner raised ChordError("Dependency f raised ExpectedException('Task expected to fail')")`,
    );
    expect(r.observations).toEqual([
      { kind: 'on_error_id', tag: null, task_id: 'inner' },
      { kind: 'on_error_id', tag: null, task_id: 'outer' },
    ]);
  });

  it('6.4: nested chords: the inner body value is one element of the outer list', () => {
    const r = runCanvas(
      chord(
        [chord([task('add', [1, 1]), task('add', [2, 2])], task('tsum', [])), task('add', [1, 0])],
        task('tsum', [], { id: 'o' }),
      ),
    );
    expect(r.value('o')).toBe(7);
  });

  it('6.5: task_allow_error_cb_on_chord_header → once per failed member plus once for the body', () => {
    const canvas = withLinkError(
      chord(
        [task('fail', [], { id: 'f1' }), task('fail', [], { id: 'f2' }), task('add', [1, 1])],
        task('tsum', [], { id: 'body' }),
      ),
      task('on_error_id', []),
    );
    const off = runCanvas(canvas);
    expect(off.observations.map((o) => (o as { task_id: string }).task_id)).toEqual(['body']);
    const on = runCanvas(canvas, { allowHeaderErrback: true });
    expect(on.observations.map((o) => (o as { task_id: string }).task_id).sort()).toEqual([
      'body',
      'f1',
      'f2',
    ]);
  });
});
