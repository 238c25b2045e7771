/**
 * Hostile labels and values through the whole engine path (submit, the bulk job add, the barrier
 * scripts, the store flush, cleanup): task ids that imitate our own key suffixes and carry quotes, Lua
 * and JSON metacharacters, and values that look like markup or format strings come back unchanged, and
 * the run's keys are gone once it is cleaned up — with every member its own job, and with the header
 * bundled into one job (bundle.ts: the members' keys travel in the job's data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../lib/canvas/model';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';

const ids = ['h-1"}{<script>~r1 ☃', "'; DROP \\ ~a0 %s", 'h 2 {run}* ${x} |p |r .submit', ']] --[[ end'];
const values: Json[] = [
  '<img src=x onerror=alert(1)>',
  '%s%n ${process.exit()}',
  "\"]]..redis.call('FLUSHALL')--",
];

describe.each([
  ['one job per member', 'off', 'hostile-labels'],
  ['bundled', '0', 'hostile-labels-bundled'],
])('hostile labels and values on the engine (%s)', (_mode, backlog, runId) => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({
      workers: 1,
      concurrency: 4,
      env: { CHORDFLOW_BUNDLE_BACKLOG: backlog },
    });
  });
  afterAll(() => cluster.close());

  it('run a chord to the right result, labels and values unchanged, and leave no keys behind', async () => {
    const canvas: Json = {
      chord: {
        header: [
          { task: 'identity', args: [3], id: ids[0] as string },
          { task: 'identity', args: [7], id: ids[1] as string },
          { task: 'identity', args: [values], id: ids[3] as string },
        ],
        body: { task: 'identity', id: ids[2] as string },
      },
    };
    const r = await cluster.run(canvas, { runId });
    expect(r.status).toBe('success');
    expect(r.result).toEqual([3, 7, values]);
    expect(r.tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
    const redis = cluster.stack.redis;
    if (!redis) throw new Error('no redis');
    const deadline = Date.now() + 20_000;
    let left: string[] = [];
    do {
      // Run history (the run record, its task states, progress and event log) stays; the run's jobs and
      // its barrier hash go.
      left = (await redis.keys(`*${runId}*`)).filter(
        (k) => !new RegExp(`:run:${runId}(:tasks|:progress|:events)?$`).test(k),
      );
      if (left.length === 0) break;
      await new Promise((done) => setTimeout(done, 100));
    } while (Date.now() < deadline);
    expect(left).toEqual([]);
  });
});
