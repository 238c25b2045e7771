/**
 * Differential test (SPEC 3): the same canvases through the simulator (`simulate`, lib/sim) and through
 * the BullMQ cluster must give identical reports apart from timings and worker names — one semantic
 * core, two interpreters. Fixed canvases plus random ones from `arbCanvasFile()`, one by one and all at
 * once, on a cluster that gives every member its own job and on one that bundles every small header
 * (bundle.ts; submitted together, their bundles are packed into shared jobs).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCanvasJson } from '../../lib/canvas/canvasJson';
import type { CanvasFile, Json } from '../../lib/canvas/model';
import { planRun } from '../../lib/engine';
import { arbPlannableCanvasFile as arbCanvasFile } from '../../lib/engine/arbPlannable';
import type { RunReport } from '../../lib/protocol/report';
import { simulate } from '../../lib/sim';
import type { WorkerPool } from '../../lib/sim/pools';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';

let cluster: TestCluster;

function sortJson<T>(items: T[]): T[] {
  return [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** What must agree: states, values, errors, attempts and attempt outcomes; not times, workers, order of concurrent observations. */
function comparable(report: RunReport) {
  return {
    status: report.status,
    result: report.result,
    error: report.error,
    observations: sortJson(report.observations),
    tasks: [...report.tasks]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((t) => ({
        id: t.id,
        name: t.name,
        state: t.state,
        result: t.result,
        error: t.error,
        attempts: t.attempts,
        history: t.history.map((h) => ({ attempt: h.attempt, outcome: h.outcome, error: h.error })),
      })),
  };
}

async function compare(file: CanvasFile, pools?: WorkerPool[]): Promise<void> {
  const simulated = simulate(file, {
    catalogue: cluster.stack.registry.catalogue,
    seed: 7,
    ...(pools ? { pools } : {}),
  }).report;
  const live = await cluster.run(toCanvasJson(file) as Json, { timeoutMs: 30_000 });
  expect(comparable(live), JSON.stringify(toCanvasJson(file))).toEqual(comparable(simulated));
}

const parse = (v: Json) => cluster.stack.client!.parseCanvas(v);

describe.each([
  ['one job per header member', 'off'],
  ['small headers bundled', '0'],
])('simulator and cluster agree (%s)', (_mode, backlog) => {
  beforeAll(async () => {
    cluster = await startTestCluster({
      workers: 2,
      concurrency: 4,
      env: { CHORDFLOW_BUNDLE_BACKLOG: backlog },
    });
  });
  afterAll(() => cluster.close());

  const fixed: Array<[string, Json]> = [
    ['chain', { chain: [{ task: 'add', args: [1, 2] }, { task: 'mul', args: [3] }, { task: 'record' }] }],
    [
      'group',
      {
        group: [
          { task: 'identity', args: [1] },
          { task: 'delayed', args: [2], kwargs: { ms: 20 } },
        ],
      },
    ],
    [
      'chord failure with errbacks',
      {
        chord: {
          header: [
            { task: 'fail', args: [1], id: 'x' },
            { task: 'identity', args: [2] },
            { task: 'fail', args: [2] },
          ],
          body: {
            task: 'tsum',
            link_error: [{ task: 'on_error', kwargs: { tag: 'b' } }, { task: 'on_error_id' }],
          },
        },
      },
    ],
    [
      'retries',
      {
        group: [
          { task: 'flaky', args: [1, 'a'] },
          { task: 'flaky_noexc', args: [5, 'b', 1] },
        ],
      },
    ],
    [
      'routed queue',
      {
        chain: [
          { task: 'add', args: [1, 1], options: { queue: 'fast' } },
          { task: 'mul', args: [2] },
        ],
      },
    ],
    [
      'sending options, .set() and map nodes (issue 15)',
      {
        chain: [
          {
            chord: {
              header: [
                {
                  task: 'add',
                  args: [1, 2],
                  options: { apply_countdown: 0.05, priority: 2, shadow: 'adder' },
                },
                { task: 'identity', args: [5], options: { apply_countdown: 0.3, expires: 0.1 } },
                { task: 'identity', args: [6], options: { expires: 30, ignore_result: true } },
              ],
              body: { task: 'tsum' },
            },
          },
          { task: 'identity' },
        ],
        link_error: [{ task: 'on_error_id' }],
      },
    ],
    [
      'xmap, xstarmap, chunks and group options',
      {
        chain: [
          {
            group: [
              { xmap: { task: { task: 'identity' }, items: [1, 2] } },
              { xstarmap: { task: { task: 'add' }, items: [[1, 2]] } },
              {
                chunks: {
                  task: { task: 'add' },
                  items: [
                    [1, 1],
                    [2, 2],
                    [3, 3],
                  ],
                  n: 2,
                },
              },
            ],
            options: { priority: 1, queue: 'fast' },
          },
          { task: 'xsum' },
        ],
      },
    ],
    [
      'replace + add_to_chord',
      {
        chord: {
          header: [
            { task: 'add_replaced', args: [1, 2] },
            { task: 'add_to_chord_task', args: [[1], 1] },
          ],
          body: { task: 'tsum' },
        },
      },
    ],
    [
      'chain of chords',
      {
        chain: [
          {
            group: [
              { task: 'add', args: [1, 1] },
              { task: 'add', args: [2, 2] },
            ],
          },
          { task: 'tsum' },
          {
            group: [
              { task: 'add', args: [1] },
              { task: 'mul', args: [2] },
            ],
          },
          { task: 'xsum' },
        ],
      },
    ],
  ];
  for (const [name, canvas] of fixed) {
    it(`fixed: ${name}`, async () => {
      await compare(parse(canvas));
    });
  }

  it('per-queue worker pools (the cluster consumes default and fast, as the simulated pools do)', async () => {
    const canvas: Json = {
      chain: [
        {
          group: [
            { task: 'delayed', args: [1], kwargs: { ms: 30 }, options: { queue: 'fast' } },
            { task: 'delayed', args: [2], kwargs: { ms: 30 }, options: { queue: 'fast' } },
            { task: 'fail', args: [3], options: { queue: 'fast' } },
            { task: 'identity', args: [4] },
          ],
        },
        { task: 'tsum', link_error: [{ task: 'on_error_id', options: { queue: 'fast' } }] },
      ],
    };
    await compare(parse(canvas), [
      { queue: 'default', workers: 2, concurrency: 4 },
      { queue: 'fast', workers: 1, concurrency: 1 },
    ]);
  });

  it('random canvases (arbCanvasFile)', async () => {
    const files = fc.sample(arbCanvasFile({ withOptions: false, withSim: false }), {
      numRuns: 40,
      seed: 4242,
    });
    for (const file of files) await compare(file);
  }, 120_000);

  it('random canvases submitted all at once (small headers of different runs packed into shared jobs)', async () => {
    const files = fc.sample(arbCanvasFile({ withOptions: false, withSim: false }), {
      numRuns: 40,
      seed: 77,
    });
    await Promise.all(files.map((file) => compare(file)));
  }, 120_000);

  it('random canvases whose top is a chord (released, and the root, in the last header job)', async () => {
    const catalogue = cluster.stack.registry.catalogue;
    const chordTop = (f: CanvasFile) => {
      try {
        const plan = planRun(f, catalogue, 'r');
        return plan.nodes[plan.top]?.kind === 'chord';
      } catch {
        return false;
      }
    };
    const files = fc
      .sample(arbCanvasFile({ withOptions: false, withSim: false }), { numRuns: 3000, seed: 99 })
      .filter(chordTop)
      .slice(0, 30);
    expect(files).toHaveLength(30);
    for (const file of files) await compare(file);
  }, 120_000);
});
