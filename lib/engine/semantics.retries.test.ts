/** celery-semantics.md 8 (retries) and time limits, through the simulator and the pure decisions. */
import { describe, expect, it } from 'vitest';
import { task } from '../canvas/build';
import { runCanvas } from '../sim/testing/harness';
import { pyException } from './python';
import { resolveOptions } from './resolveOptions';
import { autoRetry, backoffFactor, backoffSeconds, manualRetry } from './retry';

const ctx = { name: 'add', id: 'x', args: [1, 'a'], kwargs: { z: [1] }, retries: 0 };

describe('Task.retry (8.1)', () => {
  it('max_retries = N means N retries, N + 1 executions; 0 means no retry', () => {
    const r = runCanvas(task('flaky', [10, 'v', 2], { id: 'f' }));
    expect(r.task('f').attempts).toBe(3);
    expect(r.task('f').error).toEqual(pyException('ExpectedException', 'flaky', 2));
    const zero = runCanvas(task('flaky', [10, 'v', 0], { id: 'f' }));
    expect(zero.task('f').attempts).toBe(1);
  });

  it('exhaustion without exc raises MaxRetriesExceededError with Celery text', () => {
    const r = runCanvas(task('flaky_noexc', [5, 'v', 1], { id: 'f' }));
    expect(r.task('f').error).toMatchObject({
      type: 'MaxRetriesExceededError',
      message: "Can't retry flaky_noexc[f] args:(5, 'v', 1) kwargs:{}",
    });
    const d = manualRetry(resolveOptions(undefined, { max_retries: 0 }), ctx, {});
    expect(d).toEqual({
      retry: false,
      error: pyException('MaxRetriesExceededError', "Can't retry add[x] args:(1, 'a') kwargs:{'z': [1]}"),
    });
  });

  it('a retry keeps the task id, stores RETRY with the countdown, and never calls errbacks', () => {
    const r = runCanvas(task('flaky', [2, 'done'], { id: 'f', link_error: [task('on_error_id', [])] }));
    expect(r.task('f')).toMatchObject({ state: 'SUCCESS', result: 'done', attempts: 3 });
    expect(r.task('f').history.map((h) => [h.outcome, h.countdown_ms])).toEqual([
      ['retry', 200],
      ['retry', 200],
      ['success', undefined],
    ]);
    expect(r.observations).toEqual([]);
    const h = r.task('f').history;
    expect((h[1]?.started_at ?? 0) - (h[0]?.finished_at ?? 0)).toBe(200);
  });

  it('no countdown → default_retry_delay; max_retries null retries forever', () => {
    const r = runCanvas(task('autoflaky', [6, 'ok'], { id: 'f', options: { max_retries: null } }));
    expect(r.task('f')).toMatchObject({ state: 'SUCCESS', attempts: 7 });
    expect(r.task('f').history[0]?.countdown_ms).toBe(200);
  });
});

describe('autoretry_for and backoff (8.2, 8.3)', () => {
  it('matches by class hierarchy and re-raises the original exception when exhausted', () => {
    const opts = resolveOptions(undefined, { autoretry_for: ['RequestException'], max_retries: 1 });
    expect(autoRetry(opts, ctx, pyException('ReadTimeout', 't'), () => 0)).toMatchObject({ retry: true });
    expect(autoRetry(opts, ctx, pyException('ValueError', 'v'), () => 0)).toBeNull();
    expect(autoRetry(opts, { ...ctx, retries: 1 }, pyException('HTTPError', 'h'), () => 0)).toEqual({
      retry: false,
      error: pyException('HTTPError', 'h'),
    });
  });

  it('countdown = min(max, factor * 2**retries); factor = int(max(1, backoff))', () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffSeconds(2, n, 30, false, () => 0))).toEqual([2, 4, 8, 16, 30]);
    expect([true, 3, 0.5, 2.7].map((b) => backoffFactor(b))).toEqual([1, 3, 1, 2]);
    const r = runCanvas(
      task('autoflaky', [3, 'v'], {
        id: 'f',
        options: { retry_backoff: 2, retry_backoff_max: 5, retry_jitter: false, max_retries: 5 },
      }),
    );
    expect(r.task('f').history.map((h) => h.countdown_ms)).toEqual([2000, 4000, 5000, undefined]);
  });

  it('full jitter draws an integer uniformly in [0, countdown] from the injected random', () => {
    expect(backoffSeconds(2, 2, 30, true, () => 0.999)).toBe(8);
    expect(backoffSeconds(2, 2, 30, true, () => 0)).toBe(0);
    const seen = new Set<number>();
    let x = 0;
    for (let i = 0; i < 200; i++) seen.add(backoffSeconds(1, 2, 600, true, () => (x = (x + 0.137) % 1)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    const a = runCanvas(
      task('autoflaky', [2, 'v'], { id: 'f', options: { retry_backoff: true, max_retries: 3 } }),
      { seed: 7 },
    );
    const b = runCanvas(
      task('autoflaky', [2, 'v'], { id: 'f', options: { retry_backoff: true, max_retries: 3 } }),
      { seed: 7 },
    );
    expect(a.task('f').history).toEqual(b.task('f').history);
    for (const h of a.task('f').history.slice(0, 2))
      expect(Number.isInteger((h.countdown_ms ?? 0) / 1000)).toBe(true);
  });
});

describe('time limits', () => {
  it('soft_time_limit raises SoftTimeLimitExceeded, retried when listed', () => {
    const r = runCanvas(
      task('delayed', [1], {
        id: 'd',
        kwargs: { ms: 3000 },
        options: {
          soft_time_limit: 1,
          autoretry_for: ['SoftTimeLimitExceeded'],
          max_retries: 1,
          default_retry_delay: 0.5,
        },
      }),
    );
    expect(r.task('d')).toMatchObject({ state: 'FAILURE', attempts: 2 });
    expect(r.task('d').error?.type).toBe('SoftTimeLimitExceeded');
    expect(r.task('d').history.map((h) => [h.started_at, h.finished_at])).toEqual([
      [0, 1000],
      [1500, 2500],
    ]);
  });

  it('time_limit raises TimeLimitExceeded and is never retried', () => {
    const r = runCanvas(
      task('delayed', [1], {
        id: 'd',
        kwargs: { ms: 3000 },
        options: { time_limit: 2, autoretry_for: ['Exception'] },
      }),
    );
    expect(r.task('d')).toMatchObject({ state: 'FAILURE', attempts: 1, finished_at: 2000 });
    expect(r.task('d').error).toMatchObject({ type: 'TimeLimitExceeded', message: 'TimeLimitExceeded(2,)' });
  });
});
