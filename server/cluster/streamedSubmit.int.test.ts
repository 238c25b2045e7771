/**
 * Streamed submits (Dispatcher `batch`): a root with more children than the batch size is added in
 * batches, after every member was registered in the run's barrier hash (barrier.ts), so one huge submit
 * never holds Redis in a single MULTI and the root cannot be released before its last batch exists. Batch size 3 here,
 * so every case below is streamed; results must be exactly those of an unstreamed run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { CHORDFLOW_SUBMIT_BATCH: '3' } });
});
afterAll(() => cluster.close());

describe('streamed submit (batches after the registration)', () => {
  it('a chord of 10 releases its body once, with every header result in order', async () => {
    const header = Array.from({ length: 10 }, (_, i) => ({ task: 'add', args: [i, 1] }));
    const report = await cluster.run({ chord: { header, body: { task: 'tsum' } } });
    expect(report.status).toBe('success');
    expect(report.result).toBe(55);
    expect(report.tasks.filter((t) => t.name === 'tsum')).toHaveLength(1);
  });

  it('a group of 8 with nested chords and chains keeps Celery order and results', async () => {
    const members = [
      ...Array.from({ length: 5 }, (_, i) => ({ task: 'mul', args: [i, 2] })),
      {
        chord: {
          header: [
            { task: 'add', args: [1, 1] },
            { task: 'add', args: [2, 2] },
          ],
          body: { task: 'tsum' },
        },
      },
      {
        chain: [
          { task: 'add', args: [1, 2] },
          { task: 'mul', args: [10] },
        ],
      },
      { task: 'identity', args: ['last'] },
    ];
    const report = await cluster.run({ group: members });
    expect(report.status).toBe('success');
    expect(report.result).toEqual([0, 2, 4, 6, 8, 6, 30, 'last']);
    // Nothing but the canvas's tasks ran, and no barrier became a job.
    expect(report.tasks).toHaveLength(11);
    const barriers = await cluster.stack
      .client!.dispatcher.queue('barriers')
      .getJobCounts('completed', 'wait');
    expect(barriers).toEqual({ completed: 0, wait: 0 });
  });
});

/**
 * SPEC 4: one big submit leaves the runs already in flight alone. Two workers, unrelated two-step runs
 * of `slow_log` (each execution logged, so a task run twice is seen), then a 2,500-task group posted to
 * the API: its plan is stored in slices (server/runs/planParts.ts) and its root streamed in batches.
 * Every unrelated task runs exactly once and every run ends as it should; the big run reads back whole.
 */
describe('a big submit beside runs in flight', () => {
  let big: TestCluster;
  let dir: string;
  const BIG = 2_500;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chordflow-bigsubmit-'));
    process.env.SLOW_LOG_FILE = join(dir, 'executions.log');
    big = await startTestCluster({
      api: true,
      workers: 2,
      tasksDir: './tests/fixtures/ops-tasks',
      env: { CHORDFLOW_SUBMIT_BATCH: '500', CHORDFLOW_MAX_TASKS: String(2 * BIG) },
    });
  });
  afterAll(async () => {
    await big.close();
    delete process.env.SLOW_LOG_FILE;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every unrelated task once and the big run whole', async () => {
    const client = big.stack.client!;
    const base = big.api!.url;
    const post = async (canvas: unknown) => {
      const r = await fetch(`${base}/api/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ canvas }),
      });
      expect(r.status).toBe(201);
      return ((await r.json()) as { id: string }).id;
    };
    const unrelated = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) =>
        post({
          chain: [
            { task: 'slow_log', args: [`u${from + k}a`, 150], immutable: true },
            { task: 'slow_log', args: [`u${from + k}b`, 150], immutable: true },
          ],
        }),
      );
    const before = await Promise.all(unrelated(0, 6));
    const bigId = await post({
      group: Array.from({ length: BIG }, (_, i) => ({ task: 'add', args: [i, 1] })),
    });
    const after = await Promise.all(unrelated(6, 12));
    const ids = [...before, ...after];
    const bigRun = await client.waitFinished(bigId, 60_000);
    const runs = await Promise.all(ids.map((id) => client.waitFinished(id, 30_000)));

    expect(runs.map((r) => r?.status)).toEqual(ids.map(() => 'success'));
    const starts = readFileSync(join(dir, 'executions.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes(' start '))
      .map((l) => l.split(' ')[0])
      .sort();
    const expected = ids.flatMap((_, i) => [`u${i}a`, `u${i}b`]).sort();
    expect(starts).toEqual(expected);

    expect(bigRun?.status).toBe('success');
    expect(await big.stack.redis!.hexists(client.store.keys.run(bigId), 'plan_parts')).toBe(1);
    const detail = (await (await fetch(`${base}/api/workflows/${bigId}`)).json()) as {
      status: string;
      tasks: Array<{ status: string; result: unknown }>;
    };
    expect(detail.status).toBe('success');
    expect(detail.tasks).toHaveLength(BIG);
    expect(detail.tasks.every((t) => t.status === 'success')).toBe(true);
    const report = (await (await fetch(`${base}/api/workflows/${bigId}/report`)).json()) as {
      result: number[];
    };
    expect(report.result).toEqual(Array.from({ length: BIG }, (_, i) => i + 1));
  });
});
