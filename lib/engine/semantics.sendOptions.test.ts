/**
 * Issue 15: Celery's sending options (countdown, eta, expires, priority, ignore_result, shadow), `.set()`
 * on chains/groups/chords, and map/starmap/chunks — through the planner and the simulator. The same
 * canvases are run on real Celery by tests/conformance (options cases).
 */
import { describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../canvas/canvasJson';
import { createCatalogue } from '../canvas/catalogue';
import type { Json } from '../canvas/model';
import { simulate } from '../sim/simulate';
import { planRun } from './plan';

const catalogue = createCatalogue();
const EPOCH = Date.UTC(2030, 0, 1, 12, 0, 0);

function file(json: Json) {
  const r = canvasFileFromJson(json);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
}

function run(json: Json) {
  const { report, events } = simulate(file(json), { catalogue, epoch_ms: EPOCH, concurrency: 4 });
  const task = (id: string) => {
    const t = report.tasks.find((x) => x.id === id);
    if (t === undefined) throw new Error(`no task ${id}: ${report.tasks.map((x) => x.id).join(', ')}`);
    return t;
  };
  return { report, events, task };
}

describe('sending options (Celery apply_async)', () => {
  it('apply_countdown delays the start after sending; countdown stays the retry delay', () => {
    const r = run({
      chain: [
        { task: 'add', args: [1, 2], id: 'a', options: { apply_countdown: 1 } },
        { task: 'add', args: [3], id: 'b', options: { apply_countdown: 0.5, countdown: 9 } },
      ],
    });
    expect(r.task('a').started_at).toBe(1000);
    // Sent when `a` finished, so it starts 0.5 s after that.
    expect(r.task('b').started_at).toBe((r.task('a').finished_at as number) + 500);
    expect(r.report.result).toBe(6);
  });

  it('eta is an absolute time on the run clock; apply_countdown wins over it', () => {
    const r = run({
      group: [
        { task: 'identity', args: [1], id: 'e', options: { eta: '2030-01-01T12:00:02Z' } },
        {
          task: 'identity',
          args: [2],
          id: 'both',
          options: { eta: '2030-01-01T12:00:02Z', apply_countdown: 0.1 },
        },
        { task: 'identity', args: [3], id: 'past', options: { eta: '2029-01-01T00:00:00Z' } },
      ],
    });
    expect(r.task('e').started_at).toBe(2000);
    expect(r.task('both').started_at).toBe(100);
    expect(r.task('past').started_at).toBe(0);
  });

  it('a message not started before it expires is REVOKED unrun; its chord fails with ChordError', () => {
    const r = run({
      chord: {
        header: [
          { task: 'identity', args: [1], id: 'ok' },
          { task: 'identity', args: [2], id: 'late', options: { apply_countdown: 0.3, expires: 0.1 } },
        ],
        body: { task: 'tsum', id: 'body' },
      },
    });
    expect(r.task('late')).toMatchObject({
      state: 'REVOKED',
      attempts: 0,
      error: { type: 'TaskRevokedError', message: 'expired' },
    });
    expect(r.events.some((e) => e.type === 'task.started' && e.task_id === 'late')).toBe(false);
    expect(r.task('body').error?.message).toBe("Dependency late raised TaskRevokedError('expired')");
    expect(r.task('ok').state).toBe('SUCCESS');
  });

  it('a message started in time is not revoked, and an expiry in the chain marks the rest', () => {
    const inTime = run({ task: 'add', args: [1, 1], id: 'x', options: { expires: 10 } });
    expect(inTime.task('x').state).toBe('SUCCESS');
    const chained = run({
      chain: [
        {
          task: 'add',
          args: [1, 1],
          id: 'first',
          options: { apply_countdown: 1, expires: '2030-01-01T12:00:00.5Z' },
        },
        { task: 'add', args: [1], id: 'second' },
      ],
    });
    expect(chained.task('first').state).toBe('REVOKED');
    expect(chained.task('second')).toMatchObject({ state: 'FAILURE', error: { type: 'TaskRevokedError' } });
    expect(chained.report.status).toBe('failure');
  });

  it('priority rides on the message; shadow names the task; ignore_result keeps the value flowing', () => {
    const json: Json = {
      chain: [
        {
          task: 'add',
          args: [1, 2],
          id: 'a',
          options: { priority: 3, shadow: 'sum-it', ignore_result: true },
        },
        { task: 'add', args: [10], id: 'b' },
      ],
    };
    const plan = planRun(file(json), catalogue, 'r');
    expect(plan.tasks[0]?.options).toMatchObject({ priority: 3, shadow: 'sum-it', ignore_result: true });
    const r = run(json);
    expect(r.task('a')).toMatchObject({ name: 'sum-it', state: 'SUCCESS' });
    expect(r.task('a').result).toBeUndefined();
    expect(r.task('b').result).toBe(13);
    const queued = r.events.find((e) => e.type === 'task.queued' && e.task_id === 'a');
    expect(queued).toMatchObject({ name: 'sum-it' });
  });
});

describe('priority in the simulated broker', () => {
  it('serves messages without a priority first, then the lowest priority value, FIFO among equals', () => {
    const { report } = simulate(
      file({
        group: [
          { task: 'identity', args: [1], id: 'a' },
          { task: 'identity', args: [2], id: 'p5', options: { priority: 5 } },
          { task: 'identity', args: [3], id: 'p1', options: { priority: 1 } },
          { task: 'identity', args: [4], id: 'p1b', options: { priority: 1 } },
          { task: 'identity', args: [5], id: 'd' },
        ],
      }),
      { catalogue, workers: 1, concurrency: 1 },
    );
    const order = [...report.tasks]
      .sort((x, y) => (x.started_at ?? 0) - (y.started_at ?? 0))
      .map((t) => t.id);
    expect(order).toEqual(['a', 'd', 'p1', 'p1b', 'p5']);
    expect(report.result).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('.set() on chains, groups and chords (applied like Celery)', () => {
  const optionsOf = (json: Json) => {
    const plan = planRun(file(json), catalogue, 'r');
    return Object.fromEntries(plan.tasks.map((t) => [t.id, t.options.queue ?? null]));
  };

  it('a group gives its options to every member, overriding theirs', () => {
    expect(
      optionsOf({
        group: [
          { task: 'add', args: [1, 1], id: 'a', options: { queue: 'own' } },
          { task: 'add', args: [1, 1], id: 'b' },
        ],
        options: { queue: 'g' },
      }),
    ).toEqual({ a: 'g', b: 'g' });
  });

  it('a chain gives them to its first step only; a chord to its header and body', () => {
    expect(
      optionsOf({
        chain: [
          { task: 'add', args: [1, 1], id: 'a' },
          { task: 'add', args: [1], id: 'b' },
        ],
        options: { queue: 'c' },
      }),
    ).toEqual({
      a: 'c',
      b: null,
    });
    expect(
      optionsOf({
        chord: { header: [{ task: 'add', args: [1, 1], id: 'h' }], body: { task: 'tsum', id: 'body' } },
        options: { queue: 'k' },
      }),
    ).toEqual({ h: 'k', body: 'k' });
  });

  it('nested: a group member that is a chain gives them to its first step; callbacks keep their own', () => {
    expect(
      optionsOf({
        group: [
          {
            chain: [
              { task: 'add', args: [1, 1], id: 'a' },
              { task: 'add', args: [1], id: 'b' },
            ],
            options: { queue: 'inner' },
          },
          {
            task: 'add',
            args: [2, 2],
            id: 'c',
            link: [{ group: [{ task: 'record', id: 'cb' }], options: { queue: 'cbq' } }],
          },
        ],
        options: { queue: 'outer' },
      }),
    ).toEqual({ a: 'outer', b: null, c: 'outer', cb: 'cbq' });
  });

  it('chain(group, task).set(): the chord Celery builds passes them to header and body', () => {
    expect(
      optionsOf({
        chain: [
          {
            group: [
              { task: 'add', args: [1, 1], id: 'a' },
              { task: 'add', args: [2, 2], id: 'b' },
            ],
          },
          { task: 'tsum', id: 't' },
        ],
        options: { queue: 'q' },
      }),
    ).toEqual({ a: 'q', b: 'q', t: 'q' });
  });
});

describe('xmap, xstarmap, chunks', () => {
  it('xmap is one task calling the inner task per item; xstarmap with *item', () => {
    const r = run({
      group: [
        { xmap: { task: { task: 'identity' }, items: [1, 'a', [2]] }, id: 'm' },
        {
          xstarmap: {
            task: { task: 'add' },
            items: [
              [1, 2],
              ['a', 'b'],
            ],
          },
          id: 's',
        },
      ],
    });
    expect(r.task('m')).toMatchObject({
      name: 'celery.map',
      state: 'SUCCESS',
      result: [1, 'a', [2]],
      attempts: 1,
    });
    expect(r.task('s')).toMatchObject({ name: 'celery.starmap', result: [3, 'ab'] });
  });

  it('the first call that raises fails the whole map with that exception', () => {
    const r = run({
      xstarmap: {
        task: { task: 'add' },
        items: [
          [1, 2],
          [1, 'x'],
          [3, 4],
        ],
      },
      id: 's',
    });
    expect(r.task('s')).toMatchObject({ state: 'FAILURE', error: { type: 'TypeError' } });
  });

  it('chunks(task, it, n) is chunks.group(): starmap tasks over parts of n items', () => {
    const r = run({
      chain: [
        {
          chunks: {
            task: { task: 'add' },
            items: [
              [1, 2],
              [3, 4],
              [5, 6],
            ],
            n: 2,
          },
          id: 'ck',
        },
        { task: 'xsum', id: 'sum' },
      ],
    });
    expect(r.task('ck-0')).toMatchObject({ name: 'celery.starmap', result: [3, 7] });
    expect(r.task('ck-1')).toMatchObject({ result: [11] });
    expect(r.task('sum').result).toBe(21);
  });
});
