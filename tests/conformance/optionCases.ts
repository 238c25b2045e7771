/**
 * Issue 15 cases for the Celery conformance test: sending options (countdown, expires, ignore_result),
 * `.set()` on chains/groups/chords, `xmap`/`xstarmap`/`chunks`, `chain(*nodes)` normalisation and
 * per-node retry options. Built in Python with Celery's own API (tests/celery/build_canvas.py maps
 * Chordflow's `apply_countdown` to Celery's `countdown`) and run on the real worker.
 */
import { expect } from 'vitest';
import type { Json } from '@/lib/canvas/model';
import type { HandCase } from './cases';

const t = (task: string, args: Json[] = [], extra: Record<string, Json> = {}): Json => ({
  task,
  args,
  ...extra,
});
const si = (task: string, args: Json[] = [], extra: Record<string, Json> = {}): Json =>
  t(task, args, { immutable: true, ...extra });
const at = (ids: string[], i: number): string => ids[i] ?? `missing #${i}`;
/** A revoked task as compare.ts shows it (stored state only). */
const revoked = { state: 'REVOKED' };

export const OPTION_CASES: HandCase[] = [
  {
    name: '15 countdown delays the start of a chain step (Celery apply_async countdown)',
    json: { chain: [t('add', [1, 2], { options: { apply_countdown: 0.3 } }), t('add', [3])] },
    minElapsedMs: 300,
  },
  {
    name: '15 expires: a header member not started in time is REVOKED, the chord body gets ChordError',
    json: {
      chord: {
        header: [
          si('identity', [1]),
          si('identity', [2], { options: { apply_countdown: 0.4, expires: 0.1 } }),
        ],
        body: t('tsum'),
      },
    },
  },
  {
    name: '15 expires in time: the task runs',
    json: { chain: [si('identity', [4], { options: { expires: 30 } }), t('add', [1])] },
  },
  {
    name: '15 group.set(countdown, expires) reaches every member',
    json: {
      group: [si('identity', [1]), si('identity', [2])],
      options: { apply_countdown: 0.4, expires: 0.1 },
    },
  },
  {
    name: '15 chord.set(countdown) reaches header and body',
    json: {
      chord: { header: [si('identity', [1]), si('identity', [2])], body: t('tsum') },
      options: { apply_countdown: 0.2 },
    },
    minElapsedMs: 400,
  },
  {
    // Celery sends nothing more of a chain whose step expired (the rest stays PENDING and the chain never
    // settles); Chordflow marks the rest FAILURE with the TaskRevokedError so the run ends.
    name: '15 chain.set(expires) reaches the first step only; the rest after an expiry',
    json: {
      chain: [si('identity', [1]), t('add', [2])],
      options: { apply_countdown: 0.4, expires: 0.1 },
    },
    deviation: {
      why: 'a chain whose step expired: Celery leaves the rest PENDING forever; Chordflow marks it FAILURE',
      celery: (c, ids) => {
        expect(c.states[at(ids, 0)]).toEqual(revoked);
        expect(c.states[at(ids, 1)]?.state).toBe('PENDING');
      },
      ours: (c, ids) => {
        expect(c.states[at(ids, 0)]).toEqual(revoked);
        expect(c.states[at(ids, 1)]).toEqual({
          state: 'FAILURE',
          error: { type: 'TaskRevokedError', message: 'expired' },
        });
      },
    },
  },
  {
    // Celery does not store an ignored result (AsyncResult stays PENDING); Chordflow's report shows the
    // task's state from its events (like Flower) without the value. The value flows on in both.
    name: '15 ignore_result: the value is not stored but flows on',
    json: { chain: [t('add', [1, 2], { options: { ignore_result: true } }), t('add', [10])] },
    deviation: {
      why: 'ignore_result: Celery stores nothing (PENDING); the report keeps the state, drops the value',
      celery: (c, ids) => {
        expect(c.states[at(ids, 0)]).toEqual({ state: 'PENDING' });
        expect(c.states[at(ids, 1)]).toEqual({ state: 'SUCCESS', value: 13 });
      },
      ours: (c, ids) => {
        // No stored value (compare.ts shows an absent result as null).
        expect(c.states[at(ids, 0)]).toEqual({ state: 'SUCCESS', value: null });
        expect(c.states[at(ids, 1)]).toEqual({ state: 'SUCCESS', value: 13 });
      },
    },
  },
  {
    name: '15 xmap: one task, the inner task called per item',
    json: { group: [{ xmap: { task: t('identity'), items: [1, 'a', [2]] } }] },
  },
  {
    // celery/canvas.py `_basemap.apply_async` (and `chunks.apply_async`) never pass the signature's own
    // options: applied at the top level, `xmap(...).set(task_id=…, countdown=…)` ignores them. Inside a
    // group or chain they are honoured (the cases around this one). Chordflow honours them everywhere.
    name: '15 a top-level xmap: Celery ignores its own options (task_id here)',
    json: { xmap: { task: t('identity'), items: [1, 2] } },
    deviation: {
      why: "a top-level xmap/xstarmap/chunks: Celery's apply_async drops the signature's own options",
      celery: (c, ids) => {
        expect(c.states[at(ids, 0)]).toEqual({ state: 'PENDING' });
        expect(c.top).toEqual({ status: 'success', value: [1, 2] });
      },
      ours: (c, ids) => {
        expect(c.states[at(ids, 0)]).toEqual({ state: 'SUCCESS', value: [1, 2] });
        expect(c.top).toEqual({ status: 'success', value: [1, 2] });
      },
    },
  },
  {
    name: '15 xstarmap in a chain: task(*item) per item, the list passed on',
    json: {
      chain: [
        {
          xstarmap: {
            task: t('add'),
            items: [
              [1, 2],
              [3, 4],
            ],
          },
        },
        t('tsum'),
      ],
    },
  },
  {
    name: '15 xstarmap: the first failing call fails the task',
    json: { group: [{ xstarmap: { task: t('fail'), items: [[1], [2]] } }, si('identity', [3])] },
  },
  {
    name: '15 chunks(add, it, 2) is chunks.group(): starmaps over parts',
    json: {
      chunks: {
        task: t('add'),
        items: [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
        n: 2,
      },
    },
  },
  {
    name: '15 chain(group, group, task) is chord(g1, chord(g2, task))',
    json: {
      chain: [
        { group: [si('add', [1, 1]), si('add', [2, 2])] },
        { group: [t('tsum'), t('xsum')] },
        t('tsum'),
      ],
    },
  },
  {
    // Celery's worker uses the task's own max_retries (autoflaky: 2) whatever `.set()` says;
    // Chordflow enforces per-node retry options (SPEC 2.1), and the Celery JSON import says so.
    name: '15 per-node max_retries: enforced by Chordflow, ignored by Celery',
    json: t('autoflaky', [3, 'v'], { options: { max_retries: 5, default_retry_delay: 0.05 } }),
    deviation: {
      why: 'per-node retry options are Chordflow behaviour (SPEC 2.1); Celery ignores them on a signature',
      celery: (c, ids) => expect(c.states[at(ids, 0)]?.state).toBe('FAILURE'),
      ours: (c, ids) => expect(c.states[at(ids, 0)]).toEqual({ state: 'SUCCESS', value: 'v' }),
    },
  },
];
