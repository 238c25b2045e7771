import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbCanvasNode } from './arbitraries';
import { chain, chord, group, task, withLink, withLinkError } from './build';
import { canvasFileFromJson } from './canvasJson';
import type { LinkConfig } from './links';
import type { CanvasNode } from './model';
import { composeCanvas, normalizeCanvas } from './normalize';
import { referenceComposeCanvas, referenceNormalizeCanvas, referencePipe } from './normalizeReference';
import { COMPOSED_DEPTH_CEILING, NestingError } from './pipeFold';

const arbConfig: fc.Arbitrary<LinkConfig> = fc.record({ allowErrorCbOnChordHeader: fc.boolean() });

/** One chain step of every kind the fold treats apart (links on some, so copies and settling happen). */
const STEP_KINDS = ['t', 'tl', 'g', 'g1', 'g0', 'gl', 'c', 'cl', 'ch', 'chl', 'ch1', 'raw'] as const;
type StepKind = (typeof STEP_KINDS)[number];

function step(kind: StepKind, i: number): CanvasNode {
  const t = (k = 0) => task('add', [i + k]);
  const eb = task('on_error_id', [i]);
  switch (kind) {
    case 't':
      return t();
    case 'tl':
      return withLinkError(withLink(t(), task('identity', [])), eb);
    case 'g':
      return group(t(), t(1));
    case 'g1':
      return withLink(group(t()), task('identity', []));
    case 'g0':
      return group();
    case 'gl':
      return withLinkError(group(t(), withLink(t(1), task('identity', []))), eb);
    case 'c':
      return chord([t(), t(1)], task('xsum', []));
    case 'cl':
      return withLinkError(
        withLink(chord([t(), chord([t(1)], task('xsum'))], chain(task('xsum'), t(2))), t(3)),
        eb,
      );
    case 'ch':
      return chain(t(), group(t(1), t(2)));
    case 'chl':
      return withLinkError(chain(t(), t(1)), eb);
    case 'ch1':
      return chain(t());
    case 'raw':
      return { ...chain(group(t(), t(1)), chord([t(2)], t(3))), raw: true };
  }
}

const arbSteps = fc.array(fc.constantFrom(...STEP_KINDS), { maxLength: 40 });

describe('the in-place `|` fold builds what the copying reference builds', () => {
  test.prop([arbSteps, arbConfig], { numRuns: 400 })('long chains of every step kind', (kinds, config) => {
    const node = chain(...kinds.map(step));
    const before = structuredClone(node);
    expect(composeCanvas(node, config)).toStrictEqual(referenceComposeCanvas(node, config));
    expect(normalizeCanvas(node, config)).toStrictEqual(referenceNormalizeCanvas(node, config));
    expect(node).toEqual(before);
  });

  test.prop([arbSteps, arbConfig], { numRuns: 300 })('a pipe of every step kind', (kinds, config) => {
    const steps = [task('add', [0]), ...kinds.map(step)];
    const read = canvasFileFromJson({
      canvas: { pipe: steps.map(toJson) },
      config: { task_allow_error_cb_on_chord_header: config.allowErrorCbOnChordHeader },
    });
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    const expected = steps.slice(1).reduce((acc, n) => referencePipe(acc, n, config), steps[0] as CanvasNode);
    expect(stripUid(read.value.canvas)).toStrictEqual(stripUid(expected));
  });

  test.prop([arbCanvasNode({ maxDepth: 7, maxWidth: 6 }), arbConfig], { numRuns: 150 })(
    'deep and wide random nestings',
    (node, config) => {
      const before = structuredClone(node);
      expect(normalizeCanvas(node, config)).toStrictEqual(referenceNormalizeCanvas(node, config));
      expect(node).toEqual(before);
    },
  );

  test.prop([fc.array(arbSteps, { minLength: 1, maxLength: 5 }), arbConfig], { numRuns: 150 })(
    'chains of chains nested in chord bodies',
    (levels, config) => {
      // Each level is a chain whose last step is a chord whose body holds the next level.
      let node: CanvasNode = chain(...(levels[0] as StepKind[]).map(step));
      for (const kinds of levels.slice(1))
        node = chain(...kinds.map(step), chord([task('add', [1])], node), ...kinds.map(step));
      expect(normalizeCanvas(node, config)).toStrictEqual(referenceNormalizeCanvas(node, config));
    },
  );
});

/** Canvas JSON of a node built with `build.ts` (enough for the step kinds above). */
function toJson(node: CanvasNode): unknown {
  const lists = {
    ...(node.link.length > 0 ? { link: node.link.map(toJson) } : {}),
    ...(node.link_error.length > 0 ? { link_error: node.link_error.map(toJson) } : {}),
  };
  switch (node.type) {
    case 'task':
      return { task: node.task, args: node.args, ...lists };
    case 'chain':
      return { chain: node.tasks.map(toJson), ...lists, ...(node.raw ? { raw: true } : {}) };
    case 'group':
      return { group: node.tasks.map(toJson), ...lists };
    case 'chord':
      return { chord: { header: node.header.map(toJson), body: toJson(node.body) }, ...lists };
  }
}

function stripUid(node: CanvasNode): unknown {
  return JSON.parse(JSON.stringify(node));
}

describe('hostile chains at the API limit (100,000 tasks)', () => {
  const N = 100_000;

  it('a chain of 100,000 one-step chains is one chain of the 100,000 tasks, in order', () => {
    const node = chain(...Array.from({ length: N }, (_, i) => chain(task('add', [i]))));
    const out = normalizeCanvas(node);
    expect(out.type).toBe('chain');
    const steps = (out as { tasks: CanvasNode[] }).tasks;
    expect(steps).toHaveLength(N);
    expect(steps.every((s, i) => s.type === 'task' && s.args[0] === i)).toBe(true);
  });

  it('a pipe of 100,000 one-step chains reads as the same chain', () => {
    const read = canvasFileFromJson({
      pipe: Array.from({ length: N }, (_, i) => ({ chain: [{ task: 'add', args: [i] }] })),
    });
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    const steps = (read.value.canvas as { tasks: CanvasNode[] }).tasks;
    expect(steps).toHaveLength(N);
    expect(steps[N - 1]).toMatchObject({ task: 'add', args: [N - 1] });
  });

  it('a chain of 50,000 groups then a task is one chord of 50,000 steps with the rest in its body', () => {
    // chain(x, g, t, t, …): the group swallows every later step into its chord's body chain.
    const node = chain(
      task('add', [0]),
      group(task('add', [1]), task('add', [2])),
      ...Array.from({ length: N - 3 }, (_, i) => chain(task('add', [i]))),
    );
    const out = composeCanvas(node) as { tasks: CanvasNode[] };
    expect(out.tasks).toHaveLength(2);
    const body = (out.tasks[1] as { body: { tasks: CanvasNode[] } }).body;
    expect(body.tasks).toHaveLength(N - 3);
  });

  it('a chain that would nest chords past the ceiling is refused with a sentence', () => {
    // group, task, group, task …: every chord lands in the previous one's body.
    const steps = Array.from({ length: N / 3 }, (_, i) => [
      group(task('add', [i]), task('add', [i])),
      task('add', [i]),
    ]).flat();
    expect(() => normalizeCanvas(chain(...steps))).toThrow(NestingError);
    expect(() => normalizeCanvas(chain(...steps))).toThrow(/more than 1000 levels deep/);
    // A chain of groups nests when prepared (prepare_steps upgrades each group to a chord).
    const groups = Array.from({ length: N / 2 }, (_, i) => group(task('add', [i]), task('add', [i])));
    expect(() => normalizeCanvas(chain(...groups))).toThrow(NestingError);
  });

  it('nesting just under the ceiling still normalizes', () => {
    const groups = Array.from({ length: COMPOSED_DEPTH_CEILING - 10 }, (_, i) =>
      group(task('add', [i]), task('add', [i])),
    );
    const top = normalizeCanvas(chain(...groups));
    // chain(chord(g1, g2), chord(g3, chord(g4, … chord(g989, g990)))): 987 chords nested in bodies.
    const second = (top as { tasks: CanvasNode[] }).tasks[1] as CanvasNode;
    let out = second;
    let depth = 0;
    while (out.type === 'chord') {
      depth++;
      out = out.body;
    }
    expect(depth).toBe(COMPOSED_DEPTH_CEILING - 13);
    expect(out.type).toBe('group');
  });
});

describe('a pipe that nests too deeply', () => {
  it('is a problem of the reader, not an exception', () => {
    const pipe = Array.from({ length: 3_000 }, (_, i) => [
      {
        group: [
          { task: 'add', args: [i] },
          { task: 'add', args: [i] },
        ],
      },
      { task: 'add', args: [i] },
    ]).flat();
    const read = canvasFileFromJson({ pipe });
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problems[0]).toMatchObject({ path: 'canvas.pipe', severity: 'error' });
    if (!read.ok) expect(read.problems[0]?.message).toMatch(/more than 1000 levels deep/);
  });
});
