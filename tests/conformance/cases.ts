/**
 * Hand-picked canvases for the Celery conformance test, one or more per rule of celery-semantics.md
 * sections 2–9, written in Canvas JSON (SPEC 2.1). Every task of the canvas tree gets an id label in the
 * test, so ids are written here only where a message depends on them.
 *
 * Cases with a `deviation` are places where real Celery differs from the reference (or has a bug) and
 * Chordflow follows the reference / does the sane thing: both behaviours are asserted.
 *
 * Not covered on purpose (documented Celery bugs where Chordflow deliberately does the sane thing, see
 * lib/engine/CONTEXT.md "Deviations"): 11.2 a chain failure before a trailing group, 11.3 an inner chord
 * header failure, a chain of chords going on after a header failure (Celery leaves them PENDING
 * forever), and 11.7 the late RETRY write (a race with ~0 countdowns).
 */
import { expect } from 'vitest';
import type { Json } from '@/lib/canvas/model';
import type { Comparable, CompareOptions } from './compare';

/**
 * A place where Chordflow deliberately differs from the installed Celery: the reference
 * (celery-semantics.md, which the spec makes binding) says otherwise, or Celery has a bug and Chordflow
 * does the sane thing. Both sides are asserted, so a Celery that changes — or a Chordflow that drifts —
 * is noticed. Each one is listed in lib/engine/CONTEXT.md "Deviations".
 */
export interface Deviation {
  why: string;
  /** What this Celery does (ids: the case's task labels in tree order). */
  celery: (c: Comparable, ids: string[]) => void;
  /** What Chordflow does instead. */
  ours: (c: Comparable, ids: string[]) => void;
}

export interface HandCase extends CompareOptions {
  name: string;
  /** Both Celery and the simulator take at least this long (a countdown): Celery's wall time, our makespan. */
  minElapsedMs?: number;
  /** Canvas JSON: a NODE or a file `{canvas, invoke?, config?}`. */
  json: Json;
  deviation?: Deviation;
}

const at = (ids: string[], i: number): string => {
  const id = ids[i];
  if (id === undefined) throw new Error(`case has no task #${i}`);
  return id;
};
const expected = (message: string) => ({ type: 'ExpectedException', message });

const t = (task: string, args: Json[] = [], extra: Record<string, Json> = {}): Json => ({
  task,
  args,
  ...extra,
});
const si = (task: string, args: Json[] = [], extra: Record<string, Json> = {}): Json =>
  t(task, args, { immutable: true, ...extra });
const chain = (...tasks: Json[]): Json => ({ chain: tasks });
const group = (...tasks: Json[]): Json => ({ group: tasks });
const chord = (header: Json[], body: Json, extra: Record<string, Json> = {}): Json => ({
  chord: { header, body },
  ...extra,
});
const delayed = (x: Json, ms: number): Json => si('delayed', [x], { kwargs: { ms } });
const rec = (tag: string): Json => t('record', [], { kwargs: { tag } });
const onError = (tag: string): Json => t('on_error', [], { kwargs: { tag } });
const onErrorId = (tag: string): Json => t('on_error_id', [], { kwargs: { tag } });
const file = (canvas: Json, extra: Record<string, Json> = {}): Json => ({ canvas, ...extra });

export const HAND_CASES: HandCase[] = [
  // 2. Arguments, partials, immutability
  {
    name: '2.1 call-time args are prepended (list concat shows the order)',
    json: file(t('add', [['b']]), { invoke: { args: [['a']], kwargs: {} } }),
  },
  {
    name: '2.2 call-time kwargs win over stored kwargs',
    json: file(t('record', [], { kwargs: { value: 1, tag: 'kw' } }), {
      invoke: { args: [], kwargs: { value: 2 } },
    }),
  },
  {
    name: '2.4 an immutable signature ignores call-time args',
    json: file(si('add', [1, 2]), { invoke: { args: [100], kwargs: {} } }),
  },
  // 4. Chains
  {
    name: '4.1 chain passes each result on; call-time args go to the first step only',
    json: file(chain(t('add', [1]), t('mul', [2]), si('add', [5, 5]), t('add', [1]), rec('c')), {
      invoke: { args: [10], kwargs: {} },
    }),
    ordered: true,
  },
  {
    name: '4.2 failure mid-chain marks the rest FAILURE; only the failing step errback runs',
    json: chain(
      t('identity', [1]),
      { ...(si('fail', [2]) as object), link_error: [onError('own')] },
      { ...(t('add', [1]) as object), link_error: [onError('later')] },
      t('add', [2]),
    ),
  },
  {
    name: '4.3 chain.link gets the final result; chain.link_error fires once',
    json: {
      ...(chain(t('add', [1, 1]), t('add', [1]), si('fail', [4]), t('add', [1])) as object),
      link: [rec('never')],
      link_error: [onError('chain'), onErrorId('chain-old')],
    },
  },
  {
    name: '4.3 chain.link on success',
    json: { ...(chain(t('add', [1, 1]), t('add', [1])) as object), link: [rec('l1'), t('add', [100])] },
  },
  {
    // The reference (4.2, "#9674 fix, verified") says the body's last step is marked FAILURE; Celery 5.2.6
    // and 5.6.3 leave the whole chord PENDING (mark_as_failure skips chain elements without a task_id).
    name: '4.2 failure before a chord: its body is marked, its header stays PENDING',
    json: chain(si('fail', [3]), chord([si('identity', [1]), si('identity', [2])], t('tsum'))),
    deviation: {
      why: 'reference 4.2 (#9674 fix) marks the body; released Celery leaves it PENDING and never settles',
      celery: (c, ids) => {
        expect(c.states[at(ids, 3)]?.state).toBe('PENDING');
        expect(c.top.status).toBe('unsettled');
      },
      ours: (c, ids) => {
        expect(c.states[at(ids, 0)]).toEqual({
          state: 'FAILURE',
          error: expected("('Task expected to fail', 3)"),
        });
        expect(c.states[at(ids, 1)]?.state).toBe('PENDING');
        expect(c.states[at(ids, 3)]).toEqual(c.states[at(ids, 0)]);
        expect(c.top.status).toBe('failure');
      },
    },
  },
  // 5. Groups
  {
    name: '5 group results in member order under shuffled delays',
    json: group(delayed(1, 150), delayed(2, 10), delayed(3, 80), delayed(4, 0)),
  },
  {
    name: '5 nested group flattened; chain ending in a group contributes a nested list',
    json: group(
      si('identity', [1]),
      group(si('identity', [2]), si('identity', [3])),
      chain(si('identity', [4]), group(t('add', [1]), t('add', [2]))),
    ),
  },
  {
    name: '5 call-time args to every mutable member; one-member and empty groups',
    json: file(
      group(t('add', [1]), si('add', [2, 2]), chain(t('add', [10]), t('mul', [2])), group(t('identity'))),
      {
        invoke: { args: [1], kwargs: {} },
      },
    ),
  },
  { name: '5 empty group', json: group() },
  {
    name: '5 group.link: immutable copy on the first member only',
    json: { ...(group(delayed(1, 100), delayed(2, 10)) as object), link: [rec('g')] },
  },
  {
    name: '5 group.link_error: once per failing member (new and old style)',
    json: {
      ...(group(si('fail', [1]), si('fail', [2], { kwargs: { ms: 40 } }), si('identity', [3])) as object),
      link_error: [onError('ge'), onErrorId('ge-old')],
    },
  },
  // 6. Chords
  {
    name: '6.1 chord body gets header results in header order',
    json: chord([delayed(1, 150), delayed(2, 10), delayed(3, 80)], t('add_to_all', [9])),
  },
  {
    name: '6.1 empty header: body applied with []',
    json: group(chord([], t('tsum')), chord([], t('add_to_all', [9]))),
  },
  {
    name: '6.1 what each header member contributes; immutable body; chord.link',
    json: group(
      chord(
        [
          si('identity', [1]),
          chain(si('identity', [2]), t('add', [1])),
          chain(si('identity', [6]), group(t('add', [1]), t('add', [2]))),
          chord([si('identity', [1]), si('identity', [2])], t('tsum')),
        ],
        t('identity'),
        { link: [rec('body')] },
      ),
      chord([si('identity', [1])], si('identity', [42])),
    ),
  },
  {
    name: '6.1 call-time args go to the header; group, chain and chord bodies',
    json: file(
      group(
        chord([t('add', [1]), t('add', [2])], t('tsum')),
        chord([t('add', [3])], group(t('tsum'), t('xsum'))),
        chord([t('add', [4])], chain(t('tsum'), t('mul', [10]))),
        chord([t('add', [5])], chord([t('tsum'), t('xsum')], t('tsum'))),
      ),
      { invoke: { args: [10], kwargs: {} } },
    ),
  },
  {
    name: '6.4 nested chords and chains of chords',
    json: chain(
      chord([chord([si('identity', [1]), si('identity', [2])], t('tsum')), si('identity', [10])], t('tsum')),
      chord([t('add', [1]), t('add', [2])], t('tsum')),
    ),
  },
  {
    name: '6.2 ChordError culprit = first failure in header order; chord.link_error once with the body id',
    json: chord(
      [si('fail', [1], { kwargs: { ms: 200 } }), si('fail', [2]), si('identity', [3])],
      t('tsum', [], { id: 'body62' }),
      { link_error: [onError('ce'), onErrorId('ce-old')] },
    ),
  },
  {
    name: '6.2 culprit is the last step of a failed chain member',
    json: chord([si('identity', [1]), chain(si('fail', [7]), t('add', [1]))], t('tsum')),
  },
  {
    name: '6.3 body failure is an ordinary failure; errback once with the body id',
    json: chord([si('identity', [1])], t('fail'), { link_error: [onError('bf'), onErrorId('bf-old')] }),
  },
  {
    name: '6.5 task_allow_error_cb_on_chord_header: errback per failed member plus the body',
    json: file(
      chord([si('fail', [1]), si('fail', [2], { kwargs: { ms: 30 } }), si('identity', [3])], t('tsum'), {
        link_error: [onError('hdr')],
      }),
      { config: { task_allow_error_cb_on_chord_header: true } },
    ),
  },
  {
    // Celery 5.2.6 and 5.6.3: group._freeze_unroll uses stack.extendleft(task.tasks), so the nested
    // members come out reversed: [1, 5, 4].
    name: '6.1 a group directly in a chord header is flattened (member order)',
    json: chord([si('identity', [1]), group(si('identity', [4]), si('identity', [5]))], t('identity')),
    deviation: {
      why: 'Celery bug: group._freeze_unroll reverses a nested group; the reference (6.1) keeps member order',
      celery: (c) => expect(c.top.value).toEqual([1, 5, 4]),
      ours: (c) => expect(c.top).toEqual({ status: 'success', value: [1, 4, 5] }),
    },
  },
  {
    name: '6.2 chain body on header failure: only its last step is marked',
    json: chord([si('fail', [8])], chain(t('tsum'), t('mul', [2])), { link_error: [onErrorId('cb')] }),
  },
  {
    // Not in the reference. Celery 5.2.6 and 5.6.3 leave the inner chord PENDING and call no errback.
    name: '6.2 chord body on header failure',
    json: chord([si('fail', [6])], chord([t('identity')], t('tsum')), { link_error: [onErrorId('chb')] }),
    deviation: {
      why: 'Celery never settles (the inner chord stays PENDING, no errback); Chordflow fails the body chord',
      celery: (c) => expect(c.top.status).toBe('unsettled'),
      ours: (c, ids) => {
        expect(c.states[at(ids, 0)]?.state).toBe('FAILURE');
        expect(c.states[at(ids, 1)]?.state).toBe('PENDING');
        expect(c.states[at(ids, 2)]?.state).toBe('FAILURE');
        expect(c.states[at(ids, 2)]?.error?.type).toBe('ChordError');
        expect(c.observations.some((o) => o.includes('"chb"'))).toBe(true);
      },
    },
  },
  // 3. Callbacks and errbacks on a single task
  {
    name: '3 links on success only; errback styles; immutable errbacks',
    json: group(
      { ...(t('add', [1, 2]) as object), link: [rec('ok'), t('mul', [2])], link_error: [onError('no')] },
      {
        ...(si('fail', [5]) as object),
        link: [rec('never')],
        // on_error_id.si is old style and gets no failed id.
        link_error: [onError('new'), onErrorId('old'), si('on_error_id', ['fixed'])],
      },
    ),
  },
  // 8. Retries
  {
    name: '8 retries: flaky, flaky_noexc (MaxRetriesExceededError), autoflaky; errbacks only on final failure',
    json: {
      ...(group(
        t('flaky', [2, 'f-ok']),
        t('flaky', [5, 'f-no'], { kwargs: { max_retries: 1 } }),
        t('flaky_noexc', [3, 'n-no'], { kwargs: { max_retries: 1 } }),
        t('autoflaky', [1, 'a-ok']),
        t('autoflaky', [5, 'a-no']),
      ) as object),
      link_error: [onError('retry')],
    },
  },
  {
    name: '8 retries inside a chord header do not count; the body runs once',
    json: chord([t('flaky', [1, 1]), t('autoflaky', [2, 2]), si('identity', [3])], t('tsum'), {
      link: [rec('once')],
    }),
  },
  // 9. Task.replace and add_to_chord
  {
    name: '9 replace keeps the id and the chain continues',
    json: chain(t('add_replaced', [1, 2]), t('add', [10]), rec('rep')),
  },
  {
    name: '9 add_to_chord: the body waits for the added tasks',
    json: chord([t('add_to_chord_task', [[1, 2], 10]), si('identity', [5])], t('tsum')),
    // Added results share the adder's group_index: their order in the body's list is not defined.
    unorderedArgsOf: ['tsum'],
  },
  {
    // The reference (3) says new-style errback exceptions are logged and swallowed. In Celery 5.2.6 and
    // 5.6.3 _call_task_errbacks does not catch them: the errback's TypeError replaces the failed task's
    // stored result and the old-style errbacks are never sent.
    name: '3 a crashing new-style errback (on_error.si drops request, exc, traceback)',
    json: { ...(si('fail', [5]) as object), link_error: [si('on_error'), onErrorId('old')] },
    deviation: {
      why: 'reference 3: a new-style errback that raises is logged and swallowed; Celery stores its TypeError',
      celery: (c, ids) => expect(c.states[at(ids, 0)]?.error?.type).toBe('TypeError'),
      ours: (c, ids) => {
        expect(c.states[at(ids, 0)]).toEqual({
          state: 'FAILURE',
          error: expected("('Task expected to fail', 5)"),
        });
        expect(c.observations.some((o) => o.includes('"old"'))).toBe(true);
      },
    },
  },
  // Celery checks the argument list when a signature is applied (Task.typing, default on); not in
  // celery-semantics.md. Chordflow does the same (lib/engine/typing.ts).
  {
    name: 'apply-time argument check: the top-level canvas',
    json: t('add', [3]),
  },
  {
    name: 'apply-time argument check: a chain step applied by the worker',
    compareExecutions: false,
    json: chain(si('add', [1, 2]), t('identity', [5]), rec('after')),
  },
  {
    name: 'apply-time argument check: a link callback applied by the worker',
    compareExecutions: false,
    json: { ...(si('add', [1, 2]) as object), link: [t('identity', [5]), rec('cb')] },
  },
];

/**
 * Differences between the installed Celery 5.2.6 and newer Celery, confirmed by running these canvases
 * on 5.2.6 and on 5.6.3 (CHORDFLOW_CONFORMANCE_PYTHON): not run against 5.2, run with another interpreter.
 */
export const EXCLUDED_52: Array<{ name: string; json: Json; why: string }> = [
  {
    name: '6.2 group body on header failure ends REVOKED, chord errbacks skipped (11.9)',
    json: chord([si('fail', [9])], group(t('tsum'), t('xsum')), { link_error: [onErrorId('gb')] }),
    why: '5.2 has no #8786 handling: the group body members stay PENDING forever (5.6.3 stores them FAILURE).',
  },
];
