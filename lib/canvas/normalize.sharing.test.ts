import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { arbCanvasNode } from './arbitraries';
import { chain, chord, group, task, withLink, withLinkError } from './build';
import type { LinkConfig } from './links';
import { pushDownLinks } from './links';
import type { CanvasNode } from './model';
import { composeCanvas, normalizeCanvas } from './normalize';
import {
  referenceComposeCanvas,
  referenceNormalizeCanvas,
  referencePushDownLinks,
} from './normalizeReference';

const arbConfig: fc.Arbitrary<LinkConfig> = fc.record({ allowErrorCbOnChordHeader: fc.boolean() });
const arbNode = arbCanvasNode({ maxDepth: 4, maxWidth: 4 });

/** A deep copy, to check the input is left as it was. */
function copy(node: CanvasNode): CanvasNode {
  return structuredClone(node);
}

describe('structurally sharing canvas passes equal the copying reference', () => {
  test.prop([arbNode, arbConfig], { numRuns: 300 })('composeCanvas', (node, config) => {
    const before = copy(node);
    expect(composeCanvas(node, config)).toStrictEqual(referenceComposeCanvas(node, config));
    expect(node).toEqual(before);
  });

  test.prop([arbNode, arbConfig], { numRuns: 300 })('normalizeCanvas', (node, config) => {
    const before = copy(node);
    expect(normalizeCanvas(node, config)).toStrictEqual(referenceNormalizeCanvas(node, config));
    expect(node).toEqual(before);
  });

  test.prop([arbNode, arbConfig], { numRuns: 300 })('pushDownLinks after normalizeCanvas', (node, config) => {
    const tree = normalizeCanvas(node, config);
    const before = copy(tree);
    expect(pushDownLinks(tree, config)).toStrictEqual(referencePushDownLinks(tree, config));
    expect(tree).toEqual(before);
  });

  test.prop([arbNode, arbConfig], { numRuns: 200 })('pushDownLinks on a raw tree', (node, config) => {
    expect(pushDownLinks(node, config)).toStrictEqual(referencePushDownLinks(node, config));
  });

  test.prop([fc.array(fc.constantFrom('t', 'g', 'c'), { maxLength: 8 })])(
    'chains with leading task runs fold like the reference',
    (kinds) => {
      const steps = kinds.map((k, i): CanvasNode => {
        if (k === 't') return withLinkError(task('add', [i]), task('identity', []));
        if (k === 'g') return group(task('add', [i]), withLink(task('mul', [i]), task('identity', [])));
        return chord([task('add', [i]), task('add', [i + 1])], task('xsum', []));
      });
      const node = chain(...steps);
      expect(normalizeCanvas(node)).toStrictEqual(referenceNormalizeCanvas(node));
    },
  );

  test('composing or pushing down links of a normalized tree without links returns it as is (no copy)', () => {
    const tree = pushDownLinks(
      normalizeCanvas(group(chain(task('add', [1]), task('add', [2])), task('mul', [3]))),
    );
    expect(composeCanvas(tree)).toBe(tree);
    expect(pushDownLinks(tree)).toBe(tree);
  });
});
