import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbCanvasNode } from './arbitraries';
import { deepEqual, group, task } from './build';
import {
  applyLinkErrors,
  applyLinks,
  type LinkConfig,
  linkKey,
  setImmutable,
  settleOwnLinks,
  unchainTasks,
} from './links';
import type { CanvasNode, ChainNode, GroupNode } from './model';

// The one-callback-at-a-time versions the batch functions replaced (the oracle).
function appendUnique(list: readonly CanvasNode[], item: CanvasNode): CanvasNode[] {
  return list.some((x) => deepEqual(x, item)) ? [...list] : [...list, item];
}
function linkOne(node: CanvasNode, cb: CanvasNode): CanvasNode {
  switch (node.type) {
    case 'task':
    case 'chain':
      return { ...node, link: appendUnique(node.link, cb) };
    case 'group': {
      const [first, ...rest] = node.tasks;
      if (first === undefined) return { ...node, link: appendUnique(node.link, cb) };
      return { ...node, tasks: [linkOne(first, setImmutable(cb)), ...rest] };
    }
    case 'chord':
      return { ...node, body: linkOne(node.body, cb) };
  }
}
function linkErrorOne(node: CanvasNode, eb: CanvasNode, config: LinkConfig): CanvasNode {
  switch (node.type) {
    case 'task':
    case 'chain':
      return { ...node, link_error: appendUnique(node.link_error, eb) };
    case 'group':
      if (node.tasks.length === 0) return { ...node, link_error: appendUnique(node.link_error, eb) };
      return { ...node, tasks: node.tasks.map((t) => linkErrorOne(t, eb, config)) };
    case 'chord': {
      const header = node.header.map((m) =>
        config.allowErrorCbOnChordHeader || m.type === 'chord' ? linkErrorOne(m, eb, config) : m,
      );
      return { ...node, header, body: linkErrorOne(node.body, eb, config) };
    }
  }
}

const arbConfig: fc.Arbitrary<LinkConfig> = fc.record({ allowErrorCbOnChordHeader: fc.boolean() });
const arbNode = arbCanvasNode({ maxDepth: 3, maxWidth: 3 });
/** Callback lists long enough for the keyed path, with repeats (equal copies, not the same object). */
const arbList = fc
  .array(
    fc.oneof(
      arbNode,
      fc.constantFrom(0, 1, 2).map((i) => task('on_error_id', [i])),
    ),
    { maxLength: 40 },
  )
  .map((l) => l.map((n) => structuredClone(n)));

describe('batch link functions equal applying callbacks one at a time', () => {
  test.prop([arbNode, arbList, arbList, arbConfig], { numRuns: 300 })(
    'applyLinks / applyLinkErrors',
    (node, cbs, ebs, config) => {
      expect(applyLinks(node, cbs)).toStrictEqual(cbs.reduce(linkOne, node));
      expect(applyLinkErrors(node, ebs, config)).toStrictEqual(
        ebs.reduce((acc, eb) => linkErrorOne(acc, eb, config), node),
      );
    },
  );

  test.prop([arbNode, arbList, arbList, arbConfig], { numRuns: 200 })(
    'settleOwnLinks and unchainTasks',
    (node, cbs, ebs, config) => {
      const g: GroupNode = { type: 'group', tasks: [node, node], link: cbs, link_error: ebs };
      let expected: CanvasNode = { ...g, link: [], link_error: [] };
      for (const cb of cbs) expected = linkOne(expected, cb);
      for (const eb of ebs) expected = linkErrorOne(expected, eb, config);
      expect(settleOwnLinks(g, config)).toStrictEqual(expected);
      const c: ChainNode = { type: 'chain', tasks: [node, node, node], link: cbs, link_error: ebs };
      const steps = [...c.tasks];
      for (const cb of cbs) steps[2] = linkOne(steps[2] as CanvasNode, cb);
      expect(unchainTasks(c, config)).toStrictEqual(
        steps.map((t) => ebs.reduce((acc, eb) => linkErrorOne(acc, eb, config), t)),
      );
    },
  );

  test.prop([fc.jsonValue(), fc.jsonValue()], { numRuns: 500 })(
    'linkKey equal exactly when deepEqual',
    (a, b) => {
      expect(linkKey(a) === linkKey(b)).toBe(deepEqual(a, b));
      expect(linkKey(a)).toBe(linkKey(structuredClone(a)));
    },
  );

  it('linkKey ignores key order and undefined fields, tells __proto__ keys apart', () => {
    expect(linkKey({ a: 1, b: [2, { c: 3 }] })).toBe(linkKey({ b: [2, { c: 3 }], a: 1, d: undefined }));
    const proto = JSON.parse('{"__proto__": {}, "x": 1}');
    expect(deepEqual(proto, { x: 1, y: 2 })).toBe(false);
    expect(linkKey(proto) === linkKey({ x: 1, y: 2 })).toBe(false);
  });
});

describe('errbacks at the API limit', () => {
  it('a group of two tasks with 99,998 distinct errbacks: each member gets all of them, in order', () => {
    const ebs = Array.from({ length: 99_998 }, (_, i) => task('on_error_id', [i]));
    const g: GroupNode = { ...group(task('add', [1]), task('add', [2])), link_error: ebs };
    const settled = settleOwnLinks(g);
    for (const m of settled.tasks) {
      expect(m.link_error).toHaveLength(99_998);
      expect(m.link_error[99_997]).toBe(ebs[99_997]);
    }
  });

  it('99,998 equal errbacks collapse to one (Celery skips a signature already linked)', () => {
    const ebs = Array.from({ length: 99_998 }, () => task('on_error_id', [7]));
    const c: ChainNode = {
      type: 'chain',
      tasks: [task('add', [1]), task('add', [2])],
      link: [],
      link_error: ebs,
    };
    for (const step of unchainTasks(c)) expect(step.link_error).toEqual([task('on_error_id', [7])]);
  });
});
