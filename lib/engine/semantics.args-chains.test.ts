/** celery-semantics.md 2 (arguments) and 4 (chains), each rule on its own small canvas. */
import { describe, expect, it } from 'vitest';
import { chain, chord, group, task, taskSi, withLink, withLinkError } from '../canvas/build';
import { runCanvas } from '../sim/testing/harness';

describe('arguments (2)', () => {
  it('prepends call-time args to stored args (add.s(10) applied with 5 runs add(5, 10))', () => {
    const r = runCanvas(task('add', [[2]], { id: 'x' }), { args: [[1]] });
    expect(r.value('x')).toEqual([1, 2]);
  });

  it('merges call-time kwargs over stored kwargs', () => {
    const r = runCanvas(task('record', [], { id: 'r', kwargs: { value: 1, tag: 'stored' } }), {
      kwargs: { tag: 'call' },
    });
    expect(r.observations).toEqual([{ kind: 'record', tag: 'call', value: 1 }]);
  });

  it('an immutable signature ignores the parent result and call-time args', () => {
    const r = runCanvas(chain(task('add', [1, 1], { id: 'a' }), taskSi('add', [3, 4], { id: 'b' })), {
      args: [],
    });
    expect(r.value('b')).toBe(7);
    const r2 = runCanvas(taskSi('add', [3, 4], { id: 'b' }), { args: [100] });
    expect(r2.value('b')).toBe(7);
  });

  it('a mis-wired task fails with Python TypeError text', () => {
    const r = runCanvas(task('add', [1, 'a'], { id: 'x' }));
    expect(r.task('x').error).toMatchObject({
      type: 'TypeError',
      message: "unsupported operand type(s) for +: 'int' and 'str'",
    });
    // Celery checks the arguments when it applies the canvas (Task.typing): the caller gets the TypeError.
    expect(() => runCanvas(task('add', [1], { id: 'y' }))).toThrow(
      "Applying the canvas raises TypeError: add() missing 1 required positional argument: 'y'",
    );
  });
});

describe('chains (4)', () => {
  it('passes each result to the next step, call-time args to the first step only', () => {
    const r = runCanvas(
      chain(task('add', [1], { id: 'a' }), task('add', [10], { id: 'b' }), task('mul', [2], { id: 'c' })),
      {
        args: [1],
      },
    );
    expect(r.value('a')).toBe(2);
    expect(r.value('c')).toBe(24);
    expect(r.report.result).toBe(24);
    // Steps run strictly one after another.
    expect(r.task('b').started_at ?? -1).toBeGreaterThanOrEqual(r.task('a').finished_at ?? Infinity);
  });

  it('4.2: a failing step stops the chain and marks every remaining step FAILURE with the same exception', () => {
    const r = runCanvas(
      chain(
        task('add', [1, 1], { id: 'a' }),
        task('fail', [], { id: 'f' }),
        task('add', [1], { id: 'b' }),
        task('add', [2], { id: 'c' }),
      ),
    );
    expect(r.states()).toEqual({ a: 'SUCCESS', f: 'FAILURE', b: 'FAILURE', c: 'FAILURE' });
    expect(r.task('f').error?.message).toBe("('Task expected to fail', 2)");
    expect(r.task('c').error).toEqual(r.task('f').error);
    expect(r.task('c').attempts).toBe(0);
    expect(r.report.status).toBe('failure');
  });

  it('4.2: a remaining chord is descended into: only its body last step is marked, the header stays PENDING', () => {
    const r = runCanvas(
      chain(
        taskSi('fail', [], { id: 'f' }),
        chord(
          [task('add', [1, 1], { id: 'h' })],
          chain(task('tsum', [], { id: 'z' }), task('add', [1], { id: 'w' })),
        ),
      ),
    );
    expect(r.states()).toEqual({ f: 'FAILURE', h: 'PENDING', z: 'PENDING', w: 'FAILURE' });
  });

  it('4.2 (sane deviation from #6437): a trailing group after a failure is marked FAILURE and the run ends', () => {
    const r = runCanvas(
      chain(
        taskSi('fail', [], { id: 'f' }),
        group(task('add', [1], { id: 'g1' }), task('add', [2], { id: 'g2' })),
      ),
    );
    expect(r.states()).toEqual({ f: 'FAILURE', g1: 'FAILURE', g2: 'FAILURE' });
    expect(r.report.status).toBe('failure');
  });

  it("4.2: only the failing step's errbacks run", () => {
    const r = runCanvas(
      chain(
        withLinkError(task('fail', [], { id: 'f' }), task('on_error_id', [], { kwargs: { tag: 'f' } })),
        withLinkError(task('add', [1], { id: 'b' }), task('on_error_id', [], { kwargs: { tag: 'b' } })),
      ),
    );
    expect(r.observations).toEqual([{ kind: 'on_error_id', tag: 'f', task_id: 'f' }]);
  });

  it('4.3: chain.link goes to the last step; chain.link_error to every step but fires once', () => {
    const ok = runCanvas(
      withLink(
        chain(task('add', [1, 1], { id: 'a' }), task('add', [5], { id: 'b' })),
        task('record', [], { id: 'cb' }),
      ),
    );
    expect(ok.value('cb')).toBe(7);
    expect(ok.task('cb').started_at ?? -1).toBeGreaterThanOrEqual(ok.task('b').finished_at ?? Infinity);
    const bad = runCanvas(
      withLinkError(
        chain(task('add', [1, 1], { id: 'a' }), task('fail', [], { id: 'f' }), task('add', [1], { id: 'c' })),
        task('on_error', [], { kwargs: { tag: 'eb' } }),
      ),
    );
    expect(bad.observations).toEqual([
      {
        kind: 'on_error',
        tag: 'eb',
        task_id: 'f',
        exc_type: 'ExpectedException',
        exc: "('Task expected to fail', 2)",
      },
    ]);
  });

  it('7: a one-member group in a chain is unrolled and a group followed by a step becomes a chord', () => {
    const r = runCanvas(chain(group(task('add', [1, 1], { id: 'a' })), task('add', [2], { id: 'b' })));
    expect(r.value('b')).toBe(4);
    const r2 = runCanvas(
      chain(
        group(task('add', [1, 1], { id: 'a' }), task('add', [2, 2], { id: 'b' })),
        task('tsum', [], { id: 's' }),
      ),
    );
    expect(r2.value('s')).toBe(6);
  });
});

describe('errback styles (3)', () => {
  it('new style is called in-process (no task), old style is dispatched as a task with the failed id', () => {
    const r = runCanvas(
      task('fail', [1], {
        id: 'f',
        link_error: [
          task('on_error', [], { kwargs: { tag: 'n' } }),
          task('on_error_id', [], { id: 'eb', kwargs: { tag: 'o' } }),
        ],
      }),
    );
    expect(r.report.tasks.map((t) => t.id)).toEqual(['f', 'eb']);
    expect(r.task('eb')).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect(
      r.events
        .filter((e) => e.type === 'errback.called')
        .map((e) => (e.type === 'errback.called' ? e.style : '')),
    ).toEqual(['new', 'old']);
  });

  it('a new-style errback that does not fit (request, exc, traceback) fails silently (logged and swallowed)', () => {
    const r = runCanvas(task('fail', [], { id: 'f', link_error: [task('add', [])] }));
    expect(r.report.tasks.map((t) => t.id)).toEqual(['f']);
    expect(r.report.status).toBe('failure');
    expect(r.report.error?.type).toBe('ExpectedException');
  });

  it('an empty chain applies to nothing; a one-step chain behaves like its task', () => {
    expect(runCanvas(chain()).report).toMatchObject({ status: 'success', result: null, tasks: [] });
    expect(runCanvas(chain(task('add', [1, 2]))).report.result).toBe(3);
  });
});
