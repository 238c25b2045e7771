/**
 * Celery's apply-time argument check (Task.typing, default on): a signature whose arguments don't bind
 * raises TypeError when it is *sent*, in whoever sends it. Verified against real Celery by
 * tests/conformance (top level, chain step, link); the chord body follows the Redis backend's
 * `Callback error` path (celery-semantics.md 6.2, rarer paths).
 */
import { describe, expect, it } from 'vitest';
import { chain, chord, task, taskSi, withLink, withLinkError } from '../canvas/build';
import { runCanvas } from '../sim/testing/harness';

describe('apply-time argument check (Task.typing)', () => {
  it('the top-level apply raises in the caller: nothing runs', () => {
    expect(() => runCanvas(chain(task('add', [3], { id: 'a' }), task('identity', [], { id: 'b' })))).toThrow(
      "Applying the canvas raises TypeError: add() missing 1 required positional argument: 'y'",
    );
  });

  it('a chain step that cannot be sent fails the step that sent it; it stays PENDING, the rest is marked', () => {
    const r = runCanvas(
      chain(
        withLinkError(taskSi('add', [1, 2], { id: 'a' }), task('on_error_id', [], { kwargs: { tag: 'eb' } })),
        task('identity', [5], { id: 'b' }),
        task('record', [], { id: 'c' }),
      ),
    );
    const typeError = {
      type: 'TypeError',
      message: 'identity() takes 1 positional argument but 2 were given',
    };
    expect(r.task('a')).toMatchObject({ state: 'FAILURE', error: typeError, attempts: 1 });
    expect(r.task('b').state).toBe('PENDING');
    expect(r.task('c')).toMatchObject({ state: 'FAILURE', error: typeError });
    // The failure path runs as for any failure: the errback is called with the sender's id.
    expect(r.observations).toEqual([{ kind: 'on_error_id', tag: 'eb', task_id: 'a' }]);
    expect(r.report.status).toBe('failure');
  });

  it('a callback that cannot be sent fails the task; no callback runs', () => {
    const r = runCanvas(
      withLink(taskSi('add', [1, 2], { id: 'a' }), task('identity', [5]), task('record', [], { id: 'cb' })),
    );
    expect(r.task('a')).toMatchObject({ state: 'FAILURE', error: { type: 'TypeError' } });
    expect(r.observations).toEqual([]);
  });

  it('a chord body that cannot be sent fails the chord with ChordError("Callback error: …")', () => {
    const r = runCanvas(
      chord([taskSi('identity', [1]), taskSi('identity', [2])], task('add', [1, 2], { id: 'body' })),
    );
    expect(r.task('body')).toMatchObject({
      state: 'FAILURE',
      error: {
        type: 'ChordError',
        message: "Callback error: TypeError('add() takes 2 positional arguments but 3 were given')",
      },
    });
  });

  it('arguments that bind run as usual', () => {
    const r = runCanvas(chain(task('add', [1, 2], { id: 'a' }), task('add', [10], { id: 'b' })));
    expect(r.value('b')).toBe(13);
  });
});
