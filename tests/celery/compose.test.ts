/**
 * Cross-check of Celery composition and the Celery JSON writer against real Celery: every expression is
 * built in Python (`chain(...)`, `group([...])`, `chord(...)`, `|`, `.link()`, `.link_error()`) and
 * `json.dumps(sig)` is compared with `toCeleryJson` of the same Canvas JSON.
 *
 * Installed Celery is 5.2.6; Chordflow follows 5.6.2 (the reference). Cases marked `same52` are also
 * checked against unpatched 5.2; all are checked with the 5.6.2 composition methods installed
 * (celery56_compat.py).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCanvasNode } from '@/lib/canvas/arbitraries';
import { canvasFileFromJson, nodeToCanvasJson } from '@/lib/canvas/canvasJson';
import { canvasFileFromCeleryJson, toCeleryJson } from '@/lib/canvas/celeryJson';
import type { Json } from '@/lib/canvas/model';
import { celeryBuild } from './python';

const t = (task: string, args: Json[] = [], extra: Record<string, Json> = {}) => ({ task, args, ...extra });
const g = (...tasks: Json[]) => ({ group: tasks });
const c = (...tasks: Json[]) => ({ chain: tasks });
const p = (...tasks: Json[]) => ({ pipe: tasks });
const ch = (header: Json[], body: Json) => ({ chord: { header, body } });

/** The celery-semantics.md section 7 table, plus links and options. */
const CASES: Array<{ name: string; expr: Json; same52?: boolean }> = [
  { name: 'task | task', expr: p(t('add', [1, 1]), t('add', [2])), same52: true },
  { name: 'task | chain', expr: p(t('add', [1, 1]), c(t('add', [2]), t('add', [3]))), same52: true },
  { name: 'chain | chain', expr: p(c(t('a'), t('b')), c(t('c'), t('d'))), same52: true },
  { name: 'task | group(one)', expr: p(t('a'), g(t('b'))), same52: true },
  { name: 'task | group(many)', expr: p(t('a'), g(t('b'), t('c'))), same52: true },
  { name: 'group | task', expr: p(g(t('a'), t('b')), t('tsum')), same52: true },
  { name: 'group | chain', expr: p(g(t('a'), t('b')), c(t('tsum'), t('add', [1]))), same52: true },
  { name: 'group | group', expr: p(g(t('a'), t('b')), g(t('c'), t('d'))), same52: true },
  { name: 'group | empty group', expr: p(g(t('a'), t('b')), g()) },
  { name: 'group(one) | task keeps a chord', expr: p(g(t('a')), t('tsum')), same52: true },
  { name: 'chain[..., group] | task', expr: p(c(t('a'), g(t('b'), t('c'))), t('d')), same52: true },
  {
    name: 'chain[..., chord] | task',
    expr: p(c(t('a'), ch([t('b'), t('c')], t('d'))), t('e')),
    same52: true,
  },
  {
    name: 'chain[..., chord] | group(many)',
    expr: p(c(t('a'), ch([t('b'), t('c')], t('d'))), g(t('e'), t('f'))),
  },
  { name: 'chord | task', expr: p(ch([t('a'), t('b')], t('c')), t('d')), same52: true },
  { name: 'chord | group(one)', expr: p(ch([t('a'), t('b')], t('c')), g(t('d'))) },
  { name: 'chord | group(many)', expr: p(ch([t('a'), t('b')], t('c')), g(t('d'), t('e'))), same52: true },
  { name: 'chord | chain', expr: p(ch([t('a'), t('b')], t('c')), c(t('d'), t('e'))), same52: true },
  { name: 'chord | chord', expr: p(ch([t('a')], t('b')), ch([t('c')], t('d'))), same52: true },
  { name: 'chain(group, group, task)', expr: c(g(t('a'), t('b')), g(t('c'), t('d')), t('e')) },
  { name: 'chain(chord, chord)', expr: c(ch([t('a')], t('b')), ch([t('c')], t('d'))) },
  {
    name: 'task | group | t1 | t2 | t3',
    expr: c(t('x'), g(t('a'), t('b')), t('t1'), t('t2'), t('t3')),
    same52: true,
  },
  { name: 'chain(single)', expr: c(t('a')), same52: true },
  { name: 'chain(single group)', expr: c(g(t('a'))), same52: true },
  { name: 'empty chain', expr: c(), same52: true },
  { name: 'empty group', expr: g(), same52: true },
  {
    name: 'tutorial',
    expr: c(
      t('TASK_A', [null], { kwargs: { payload: { raw: 'hi' } } }),
      g(t('TASK_B'), t('TASK_C')),
      t('TASK_D'),
    ),
    same52: true,
  },
  {
    name: 'options, ids, immutability, sim',
    expr: c(
      t('add', [1, 2], {
        immutable: true,
        id: 'first',
        options: { max_retries: 5, countdown: 1, queue: 'q' },
      }),
      t('fail', [], {
        sim: { fail_first: 2 },
        options: { autoretry_for: ['ExpectedException'], retry_jitter: false },
      }),
    ),
    same52: true,
  },
  {
    name: 'task link and errback',
    expr: t('add', [1, 2], { link: [t('record')], link_error: [t('on_error')] }),
    same52: true,
  },
  {
    name: 'chain links',
    expr: { chain: [t('a'), t('b')], link: [t('cb')], link_error: [t('eb')] },
    same52: true,
  },
  {
    name: 'group link → first member, immutable',
    expr: { group: [t('a'), t('b')], link: [t('cb', [1])] },
    same52: true,
  },
  {
    name: 'group link_error → every member',
    expr: { group: [t('a'), c(t('b'), t('c'))], link_error: [t('eb')] },
    same52: true,
  },
  { name: 'chord link → body', expr: { ...ch([t('a')], c(t('b'), t('c'))), link: [t('cb')] }, same52: true },
  { name: 'chord link_error → body', expr: { ...ch([t('a')], t('b')), link_error: [t('eb')] }, same52: true },
  {
    name: 'chord link_error reaches chords nested in the header',
    expr: { ...ch([t('a'), ch([t('x')], t('y'))], t('b')), link_error: [t('eb')] },
  },
  {
    name: 'spliced chain moves its link to its last step',
    expr: c(t('x'), { chain: [t('a'), t('b')], link: [t('cb')] }),
  },
  {
    name: 'spliced chain copies its errback to every step',
    expr: c(t('x'), { chain: [t('a'), t('b')], link_error: [t('eb')] }),
    same52: true,
  },
  {
    name: 'linked chord then extended body',
    expr: c({ ...ch([t('a')], t('b')), link: [t('cb')] }, t('c')),
    same52: true,
  },
  {
    name: 'linked group becomes a chord header',
    expr: c({ group: [t('a'), t('b')], link_error: [t('eb')] }, t('c')),
    same52: true,
  },
  {
    name: 'chain with links folded into a chord',
    expr: { chain: [g(t('a'), t('b')), t('c')], link: [t('cb')] },
    same52: true,
  },
  // Issue 15: Celery's sending options, `.set()` on chains/groups/chords, map/starmap/chunks.
  {
    name: 'sending options on a task',
    expr: t('add', [1, 2], {
      options: {
        apply_countdown: 1,
        eta: '2030-01-01T00:00:00',
        expires: 10,
        priority: 3,
        routing_key: 'rk',
        ignore_result: true,
        shadow: 'sh',
        queue: 'q',
        countdown: 2,
      },
    }),
    same52: true,
  },
  { name: '.set() on a chain', expr: { ...c(t('a'), t('b')), options: { queue: 'q9' } }, same52: true },
  { name: '.set() on a group', expr: { ...g(t('a'), t('b')), options: { priority: 2 } }, same52: true },
  { name: '.set() on a chord', expr: { ...ch([t('a')], t('b')), options: { expires: 5 } }, same52: true },
  {
    name: '.set() on chain(group, task) lands on the chord it builds',
    expr: { ...c(g(t('a'), t('b')), t('c')), options: { queue: 'q' } },
    same52: true,
  },
  {
    name: 'group.set() | task drops the group options (chord header)',
    expr: p({ ...g(t('a'), t('b')), options: { queue: 'q' } }, t('c')),
    same52: true,
  },
  {
    name: 'chain.set() | task drops them',
    expr: p({ ...c(t('a'), t('b')), options: { queue: 'q' } }, t('c')),
  },
  { name: 'xmap', expr: { xmap: { task: t('add', [1]), items: [1, 2] } }, same52: true },
  { name: 'xstarmap', expr: { xstarmap: { task: t('add'), items: [[1, 2]] } }, same52: true },
  {
    name: 'chunks with options and id',
    expr: {
      chunks: {
        task: t('add'),
        items: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        n: 2,
      },
      id: 'ck',
      options: { queue: 'q' },
    },
    same52: true,
  },
  {
    name: 'chunks in a chain and a group',
    expr: c(g({ chunks: { task: t('add'), items: [[1, 2]], n: 1 } }, t('x')), t('tsum')),
    same52: true,
  },
];

function ours(expr: Json, allowErrorCbOnChordHeader = false): Json {
  const parsed = canvasFileFromJson(expr);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const file = {
    ...parsed.value,
    config: { task_allow_error_cb_on_chord_header: allowErrorCbOnChordHeader },
  };
  return toCeleryJson(file).json;
}

describe('Celery composition and signature JSON equal real Celery', () => {
  it('matches Celery 5.6.2 composition for the section 7 table, links and options', () => {
    const theirs = celeryBuild(CASES.map((x) => x.expr));
    CASES.forEach((x, i) => {
      expect({ name: x.name, json: ours(x.expr) }).toEqual({ name: x.name, json: theirs[i] });
    });
  });

  it('matches unpatched Celery 5.2 where 5.2 and 5.6 agree', () => {
    const same = CASES.filter((x) => x.same52);
    const theirs = celeryBuild(
      same.map((x) => x.expr),
      { compat56: false },
    );
    same.forEach((x, i) => {
      expect({ name: x.name, json: ours(x.expr) }).toEqual({ name: x.name, json: theirs[i] });
    });
  });

  it('matches with task_allow_error_cb_on_chord_header = True', () => {
    const exprs = [
      { ...ch([t('a'), t('b')], t('c')), link_error: [t('eb')] },
      { chain: [g(t('a'), t('b')), t('c')], link_error: [t('eb')] },
    ];
    const theirs = celeryBuild(exprs, { allowErrorCbOnChordHeader: true });
    // Celery's header copy is `errback.clone(immutable=True)`: `immutable` lands in its options, which
    // Chordflow does not model (it does not change behaviour, celery-semantics.md 2.6). Compare without it.
    const strip = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v), (k, val) =>
        k === 'options' && val && typeof val === 'object' ? { ...val, immutable: undefined } : val,
      );
    exprs.forEach((e, i) => {
      expect(strip(ours(e as Json, true))).toEqual(strip(theirs[i]));
    });
  });

  it("imports Celery's json.dumps of every issue-15 case and writes it back unchanged", () => {
    const cases = CASES.slice(CASES.findIndex((x) => x.name === 'sending options on a task'));
    const theirs = celeryBuild(cases.map((x) => x.expr)) as Json[];
    theirs.forEach((json, i) => {
      const back = canvasFileFromCeleryJson(json);
      if (!back.ok) throw new Error(`${cases[i]?.name}: ${JSON.stringify(back.problems)}`);
      expect({ name: cases[i]?.name, json: toCeleryJson(back.value).json }).toEqual({
        name: cases[i]?.name,
        json,
      });
    });
    // Celery's `countdown` is the start delay (apply_countdown); a per-node retry option gets a notice.
    const [sig] = celeryBuild([t('autoflaky', [1, 2], { options: { apply_countdown: 1, max_retries: 5 } })]);
    const read = canvasFileFromCeleryJson(sig);
    expect(read.ok && read.value.canvas).toMatchObject({ options: { apply_countdown: 1, max_retries: 5 } });
    expect(read.ok ? read.warnings?.map((w) => w.message) : []).toEqual([
      'Celery ignores "max_retries" set on a signature (it is a task attribute); Chordflow applies it to this node.',
    ]);
  });

  it('matches for random canvases (property)', () => {
    const samples = fc.sample(arbCanvasNode({ maxDepth: 3 }), { numRuns: 150, seed: 20261128 });
    const exprs = samples.map(nodeToCanvasJson);
    const theirs = celeryBuild(exprs);
    exprs.forEach((e, i) => {
      expect(ours(e)).toEqual(theirs[i]);
    });
  });
});
