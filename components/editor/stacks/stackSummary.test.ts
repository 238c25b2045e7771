import { describe, expect, it } from 'vitest';
import type { TaskRunState } from '../../sim/model/runState';
import { histogram, memberStatus, summarizeStack } from './stackSummary';

const st = (task_id: string, status: TaskRunState['status']): TaskRunState => ({
  task_id,
  name: 'add',
  path: task_id,
  origin: 'canvas',
  status,
  celery: 'PENDING',
  attempt: 1,
  since: 0,
});

describe('stack summary', () => {
  it('folds a member over its tasks: any failure fails it, all successes succeed it', () => {
    expect(memberStatus([st('a', 'success'), st('b', 'failure')])).toBe('failure');
    expect(memberStatus([st('a', 'success'), st('b', 'running')])).toBe('running');
    expect(memberStatus([st('a', 'success'), st('b', 'success')])).toBe('success');
    expect(memberStatus([st('a', 'success'), undefined])).toBe('pending');
    expect(memberStatus([st('a', 'upstream_failed')])).toBe('never');
  });

  it('counts members, lists failed ones in order and measures finished durations', () => {
    const states = ['success', 'failure', 'running', 'failure', 'queued'] as const;
    const spans = new Map(
      states.map((_, i) => [`t${i}`, { start: i * 10, end: i * 10 + 5 + i, open: false }]),
    );
    const s = summarizeStack(5, (i) => [st(`t${i}`, states[i]!)], spans);
    expect(s.counts).toMatchObject({ success: 1, failure: 2, running: 1, queued: 1, pending: 0 });
    expect(s.failed).toEqual([1, 3]);
    expect(s.done).toBe(3);
    expect(s.durations).toEqual([5, 6, 8]);
  });

  it('bins durations between their min and max', () => {
    expect(histogram([1, 1, 1])).toEqual({ bins: [3], min: 1, max: 1 });
    const h = histogram([0, 10, 10, 5], 2);
    expect(h.bins).toEqual([1, 3]);
  });
});
