import { describe, expect, it } from 'vitest';
import { BUILTIN_TASKS, createCatalogue, mergeCatalogue, resolveTaskOptions, signatureOf } from './catalogue';
import { isInstanceOf, matchesAny } from './exceptions';

describe('catalogue', () => {
  it('has every built-in task of SPEC 2.2', () => {
    expect(BUILTIN_TASKS.map((t) => t.name)).toEqual([
      'identity',
      'add',
      'mul',
      'tsum',
      'xsum',
      'add_to_all',
      'delayed',
      'fail',
      'record',
      'on_error',
      'on_error_id',
      'flaky',
      'flaky_noexc',
      'autoflaky',
      'add_replaced',
      'add_to_chord_task',
      'celery.map',
      'celery.starmap',
      'celery.chunks',
      'TASK_A',
      'TASK_B',
      'TASK_C',
      'TASK_D',
    ]);
  });

  it('carries the tutorial retry policies exactly', () => {
    const c = createCatalogue();
    expect(c.get('TASK_A')?.defaults).toEqual({
      autoretry_for: ['RequestException', 'SoftTimeLimitExceeded'],
      retry_backoff: 2,
      retry_backoff_max: 30,
      retry_jitter: false,
      max_retries: 3,
      soft_time_limit: 6,
    });
    expect(c.get('TASK_B')?.defaults).toEqual({ countdown: 3, max_retries: 3 });
    expect(c.get('TASK_C')?.defaults).toEqual({
      autoretry_for: ['RequestException'],
      retry_backoff: 2,
      retry_backoff_max: 15,
      retry_jitter: true,
      max_retries: 3,
    });
    expect(c.get('TASK_D')?.defaults).toEqual({});
    expect(c.get('autoflaky')?.defaults).toEqual({
      autoretry_for: ['ExpectedException'],
      max_retries: 2,
      default_retry_delay: 0.2,
    });
  });

  it('decides errback styles like Celery (arity)', () => {
    const c = createCatalogue();
    expect(c.get('on_error')?.errback_style).toBe('new');
    expect(c.get('on_error_id')?.errback_style).toBe('old');
    expect(c.get('identity')?.errback_style).toBe('old');
  });

  it('resolves options: Celery defaults < catalogue < node', () => {
    const c = createCatalogue();
    expect(resolveTaskOptions(c.get('TASK_D'), {})).toMatchObject({
      max_retries: 3,
      default_retry_delay: 180,
      retry_backoff_max: 600,
      retry_jitter: true,
    });
    expect(resolveTaskOptions(c.get('TASK_A'), { max_retries: 1 })).toMatchObject({
      max_retries: 1,
      retry_jitter: false,
    });
  });

  it('lets user entries extend the built-ins', () => {
    const c = createCatalogue([{ ...BUILTIN_TASKS[0]!, name: 'mine', source: 'user', module: 'm' }]);
    expect(c.get('mine')?.source).toBe('user');
    expect(c.size).toBe(BUILTIN_TASKS.length + 1);
  });

  it('refuses a name clash unless the module declares an override', () => {
    const clash = { ...BUILTIN_TASKS[0]!, name: 'TASK_A', source: 'user' as const, module: 'success' };
    expect(() => createCatalogue([clash])).toThrow(
      /Task "TASK_A" from module "success" clashes with the task of the same name from the tutorial tasks/,
    );
    const { clashes } = mergeCatalogue(createCatalogue(), [clash, clash]);
    expect(clashes).toHaveLength(2);
    const c = createCatalogue([{ ...clash, override: true }]);
    expect(c.get('TASK_A')?.module).toBe('success');
  });

  it('writes Python-style signatures', () => {
    const c = createCatalogue();
    expect(signatureOf(c.get('add')!)).toBe('add(x, y)');
    expect(signatureOf(c.get('fail')!)).toBe('fail(*args, ms=0)');
    expect(signatureOf(c.get('on_error_id')!)).toBe('on_error_id(task_id, *, tag=None)');
    expect(signatureOf(c.get('TASK_A')!)).toBe('TASK_A(*args, payload=None, workflow_id=None)');
  });
});

describe('exceptions', () => {
  it('matches by class like isinstance', () => {
    expect(isInstanceOf('HTTPError', 'RequestException')).toBe(true);
    expect(isInstanceOf('ReadTimeout', 'RequestException')).toBe(true);
    expect(isInstanceOf('HTTPError', 'Exception')).toBe(true);
    expect(isInstanceOf('RequestException', 'HTTPError')).toBe(false);
    expect(isInstanceOf('SoftTimeLimitExceeded', 'RequestException')).toBe(false);
    expect(isInstanceOf('MyOwnError', 'Exception')).toBe(true);
    expect(isInstanceOf('MyOwnError', 'MyOwnError')).toBe(true);
    expect(isInstanceOf('ExpectedException', 'BaseException')).toBe(true);
    expect(matchesAny('ReadTimeout', ['ValueError', 'RequestException'])).toBe(true);
    expect(matchesAny('ValueError', [])).toBe(false);
  });
});
