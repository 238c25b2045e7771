import { describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../../lib/canvas/canvasJson';
import { createCatalogue } from '../../lib/canvas/catalogue';
import type { Json } from '../../lib/canvas/model';
import { planRun, startRun } from '../../lib/engine';
import type { Dispatch } from '../../lib/engine/types';
import { BUNDLE_MAX, bundleJobs, PACKED_MAX, packBundles, type TaskDispatch } from './bundle';
import type { JobData } from './jobData';

/** The task dispatches a run's start sends (what the dispatcher turns into jobs), in order. */
function startDispatches(canvas: Json): TaskDispatch[] {
  const parsed = canvasFileFromJson(canvas);
  if (!parsed.ok) throw new Error('bad canvas');
  const out: TaskDispatch[] = [];
  const walk = (ds: readonly Dispatch[]) => {
    for (const d of ds) {
      if (d.message.kind === 'task') out.push(d as TaskDispatch);
      walk(d.children ?? []);
    }
  };
  walk(startRun(planRun(parsed.value, createCatalogue(), 'r')).dispatch);
  return out;
}

const ids = (n: number, prefix = 'm') =>
  Array.from({ length: n }, (_, i) => ({ task: 'identity', args: [i], id: `${prefix}${i}` }));
const shape = (canvas: Json) =>
  bundleJobs(startDispatches(canvas))?.map((j) =>
    'one' in j ? j.one.message.task_id : j.members.map((m) => m.task_id),
  );

describe('bundleJobs', () => {
  it("puts a small header's members in one job, led by the first, in order", () => {
    expect(shape({ chord: { header: ids(2), body: { task: 'tsum' } } })).toEqual([['m0', 'm1']]);
    expect(shape({ group: ids(BUNDLE_MAX) })).toEqual([ids(BUNDLE_MAX).map((t) => t.id)]);
  });

  it('leaves a real fan-out, a lone task and messages sent later or with a priority alone', () => {
    expect(shape({ group: ids(BUNDLE_MAX + 1) })).toBeUndefined();
    expect(shape({ task: 'identity', args: [1] })).toBeUndefined();
    // A countdown or a priority: BullMQ's own delayed and prioritized sets, one job each.
    const held = [
      { task: 'identity', args: [1], id: 'late', options: { apply_countdown: 5 } },
      { task: 'identity', args: [2], id: 'urgent', options: { priority: 1 } },
      { task: 'identity', args: [3], id: 'plain' },
    ];
    expect(shape({ group: held })).toBeUndefined();
    expect(shape({ group: [...held, { task: 'identity', args: [4], id: 'plain2' }] })).toEqual([
      'late',
      'urgent',
      ['plain', 'plain2'],
    ]);
  });

  it('bundles per barrier: each of two small headers is a job, a big one beside them is not', () => {
    const canvas: Json = {
      group: [
        { chord: { header: ids(2, 'a'), body: { task: 'tsum' } } },
        { chord: { header: ids(3, 'b'), body: { task: 'tsum' } } },
        { chord: { header: ids(6, 'c'), body: { task: 'tsum' } } },
      ],
    };
    expect(shape(canvas)).toEqual([['a0', 'a1'], ['b0', 'b1', 'b2'], ...ids(6, 'c').map((t) => t.id)]);
  });
});

describe('packBundles', () => {
  const bundle = (run: string, n: number) => ({
    name: `${run}-bundle`,
    data: { u: Array.from({ length: n }, (_, i) => ({ t: i, y: `${run}.t.m${i}` })) } as JobData,
  });
  const single = (key: string) => ({ name: key, data: { t: 0 } as JobData });
  const keys = (jobs: Array<{ data: JobData }>) =>
    jobs.map((j) => ('u' in j.data ? j.data.u.map((m) => m.y) : 'single'));

  it('packs bundles sent together into jobs of up to PACKED_MAX members, in order, each named by its last', () => {
    const jobs = ['a', 'b', 'c', 'd', 'e'].map((r) => bundle(r, 2));
    const packed = packBundles(jobs);
    expect(PACKED_MAX).toBe(8);
    expect(keys(packed)).toEqual([
      ['a.t.m0', 'a.t.m1', 'b.t.m0', 'b.t.m1', 'c.t.m0', 'c.t.m1', 'd.t.m0', 'd.t.m1'],
      ['e.t.m0', 'e.t.m1'],
    ]);
    // The packed job takes its last bundle's name (and options: its id is that bundle's first key).
    expect(packed[0]?.name).toBe('d-bundle');
  });

  it('never splits a bundle, leaves other jobs alone and never packs past the limit', () => {
    const jobs = [bundle('a', 3), single('x'), bundle('b', 4), bundle('c', 2), bundle('d', 4)];
    expect(keys(packBundles(jobs))).toEqual([
      ['a.t.m0', 'a.t.m1', 'a.t.m2', 'b.t.m0', 'b.t.m1', 'b.t.m2', 'b.t.m3'],
      'single',
      ['c.t.m0', 'c.t.m1', 'd.t.m0', 'd.t.m1', 'd.t.m2', 'd.t.m3'],
    ]);
    expect(keys(packBundles([single('x'), single('y')]))).toEqual(['single', 'single']);
  });
});
