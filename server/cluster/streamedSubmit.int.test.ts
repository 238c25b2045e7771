/**
 * Streamed submits (Dispatcher `streamAbove`): a root with more children than the batch size is added
 * in batches behind a gate, so one huge submit never holds Redis in a single MULTI. Batch size 3 here,
 * so every case below is streamed; results must be exactly those of an unstreamed run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ env: { CHORDFLOW_SUBMIT_BATCH: '3' } });
});
afterAll(() => cluster.close());

describe('streamed submit (batches behind a gate)', () => {
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
    // The gate never shows up as a task, and nothing is left behind in the gate queue.
    expect(report.tasks.some((t) => t.name === 'gate')).toBe(false);
    const gates = await cluster.stack.client!.dispatcher.queue('gates').getJobCounts('delayed', 'wait');
    expect(gates).toEqual({ delayed: 0, wait: 0 });
  });
});
