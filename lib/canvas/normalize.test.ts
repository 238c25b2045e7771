import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCanvasNode } from './arbitraries';
import { chain, chord, group, shapeOf, task, withLink, withLinkError } from './build';
import { composeCanvas, normalizeCanvas, pipe } from './normalize';
import { walkNodes } from './paths';

const a = task('a');
const b = task('b');
const c = task('c');
const d = task('d');
const e = task('e');
const n = (node: Parameters<typeof normalizeCanvas>[0]) => shapeOf(normalizeCanvas(node));

describe('pipe (Celery |)', () => {
  it('follows the section 7 table', () => {
    expect(shapeOf(pipe(a, b))).toBe('chain(a, b)');
    expect(shapeOf(pipe(a, chain(b, c)))).toBe('chain(a, b, c)');
    expect(shapeOf(pipe(a, group(b)))).toBe('chain(a, b)');
    expect(shapeOf(pipe(a, group(b, c)))).toBe('chain(a, group(b, c))');
    expect(shapeOf(pipe(group(a, b), c))).toBe('chord([a, b], c)');
    expect(shapeOf(pipe(group(a, b), group(c, d)))).toBe('chord([a, b], group(c, d))');
    expect(shapeOf(pipe(group(a, b), group()))).toBe('group(a, b)');
    expect(shapeOf(pipe(group(a), c))).toBe('chord([a], c)');
    expect(shapeOf(pipe(chord([a, b], c), d))).toBe('chord([a, b], chain(c, d))');
    expect(shapeOf(pipe(chord([a, b], c), group(d)))).toBe('chord([a, b], chain(c, d))');
    expect(shapeOf(pipe(chord([a, b], c), group(d, e)))).toBe('chain(chord([a, b], c), group(d, e))');
    expect(shapeOf(pipe(chord([a, b], c), chain(d, e)))).toBe('chain(chord([a, b], c), d, e)');
  });

  it('builds chains like celery.chain(*nodes)', () => {
    expect(shapeOf(composeCanvas(chain(a, group(b, c), d)))).toBe('chain(a, chord([b, c], d))');
    expect(shapeOf(composeCanvas(chain(group(a, b), group(c, d), e)))).toBe(
      'chord([a, b], chord([c, d], e))',
    );
    expect(shapeOf(composeCanvas(chain(chord([a], b), chord([c], d))))).toBe(
      'chain(chord([a], b), chord([c], d))',
    );
    expect(shapeOf(composeCanvas(chain(task('x'), group(a, b), c, d, e)))).toBe(
      'chain(x, chord([a, b], chain(c, d, e)))',
    );
    expect(shapeOf(composeCanvas(chain(a, chord([b, c], d), group(e, task('f')))))).toBe(
      'chain(a, chord([b, c], chain(d, group(e, f))))',
    );
  });
});

describe('normalizeCanvas (composition + prepare_steps)', () => {
  it('unrolls a one-member group anywhere in a chain', () => {
    expect(n(chain(group(a)))).toBe('chain(a)');
    expect(n(chain(group(a), b))).toBe('chain(a, b)');
  });

  it('skips empty groups in a chain when something precedes or follows', () => {
    expect(n(chain(a, group()))).toBe('chain(a)');
    expect(n(chain(group()))).toBe('chain(group())');
    expect(n(group())).toBe('group()');
  });

  it('splices nested chains and upgrades a group followed by a step', () => {
    const raw = { ...chain(a, group(b, c), d), raw: true };
    expect(n(raw)).toBe('chain(a, chord([b, c], d))');
    expect(n({ ...chain(a, chain(b, c)), raw: true })).toBe('chain(a, b, c)');
  });

  it('keeps a standalone one-member group and nested groups', () => {
    expect(n(group(a))).toBe('group(a)');
    expect(n(group(a, group(b, c)))).toBe('group(a, group(b, c))');
  });

  it('keeps composite links where they are while the node survives', () => {
    const out = normalizeCanvas(withLink(group(a, b), task('cb')));
    expect(out.type).toBe('group');
    expect(out.link.map(shapeOf)).toEqual(['cb']);
  });

  it('moves links per 4.3 when a chain is spliced', () => {
    const inner = withLinkError(withLink(chain(b, c), task('cb')), task('eb'));
    const out = normalizeCanvas(chain(a, inner));
    expect(shapeOf(out)).toBe('chain(a, b, c)');
    if (out.type !== 'chain') throw new Error('expected a chain');
    expect(out.tasks.map((t) => t.link.map(shapeOf))).toEqual([[], [], ['cb']]);
    expect(out.tasks.map((t) => t.link_error.map(shapeOf))).toEqual([[], ['eb'], ['eb']]);
  });

  it('gives a group dissolved into a chord header its links like Celery: link to the first member, immutable', () => {
    const out = normalizeCanvas(chain(withLink(group(a, b), task('cb', [1])), c));
    expect(shapeOf(out)).toBe('chord([a, b], c)');
    if (out.type !== 'chord') throw new Error('expected a chord');
    expect(out.header[0]?.link.map(shapeOf)).toEqual(['cb~']);
    expect(out.header[1]?.link).toEqual([]);
  });

  it('unrolls one level of one-member groups per chain step, like prepare_steps (so not idempotent there)', () => {
    // Celery's `maybe_unroll_group` unrolls one level when a chain is applied: chain(group([group([a])]))
    // runs group([a]) (a list result). Normalizing that output again would unroll it once more, which
    // Celery never does (a chain is prepared once), so idempotence only holds without such nesting.
    const nested = chain(group(group(a)));
    expect(n(nested)).toBe('chain(group(a))');
    expect(n(normalizeCanvas(nested))).toBe('chain(a)');
  });

  it('is idempotent and leaves only raw chains (property)', () => {
    // A one-member group directly holding a group is unrolled one level per application (test above).
    const hasNestedLoneGroup = (node: Parameters<typeof normalizeCanvas>[0]) =>
      walkNodes(node).some(
        ({ node: x }) => x.type === 'group' && x.tasks.length === 1 && x.tasks[0]?.type === 'group',
      );
    fc.assert(
      fc.property(
        arbCanvasNode({ maxDepth: 3 }).filter((node) => !hasNestedLoneGroup(node)),
        (node) => {
          const once = normalizeCanvas(node);
          expect(normalizeCanvas(once)).toEqual(once);
          for (const { node: x } of walkNodes(once)) if (x.type === 'chain') expect(x.raw).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps every task of the canvas (property)', () => {
    const names = (x: Parameters<typeof normalizeCanvas>[0]) =>
      walkNodes(x)
        .filter((w) => w.node.type === 'task' && !w.path.includes('link') && !w.path.includes('link_error'))
        .map((w) => (w.node.type === 'task' ? w.node.task : ''))
        .sort();
    fc.assert(
      fc.property(arbCanvasNode({ maxDepth: 3, withLinks: false }), (node) => {
        expect(names(normalizeCanvas(node))).toEqual(names(node));
      }),
      { numRuns: 200 },
    );
  });
});
