/**
 * A long chain on a real worker (private Redis, one in-process worker, the test cluster's 2 s job lock):
 * every step runs exactly once and the run ends with the right result. Chain fusion runs many steps
 * inside one job (worker.ts `runHere`); per-step work must not grow with the chain (a 100,000-step
 * chain, the API's limit, must end), and a job must never hold the loop that renews its lock so long
 * that the lock is lost (a lost lock redelivers the job: its steps would start twice). Not timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../lib/canvas/model';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';

/** Big enough that per-step cost proportional to the chain shows (seconds per job), small enough for CI. */
const STEPS = 20_000;

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ workers: 1, concurrency: 4 });
});
afterAll(() => cluster.close());

describe('a long chain on the cluster', () => {
  it(`runs ${STEPS.toLocaleString('en-US')} steps, each exactly once, to the right result`, async () => {
    const canvas: Json = {
      chain: [
        { task: 'add', args: [0, 1] },
        ...Array.from({ length: STEPS - 1 }, () => ({ task: 'add', args: [1] })),
      ],
    };
    const r = await cluster.run(canvas, { runId: 'long-chain', timeoutMs: 120_000 });
    expect(r.status).toBe('success');
    expect(r.result).toBe(STEPS);
    expect(r.tasks).toHaveLength(STEPS);
    expect(r.tasks.filter((t) => t.state !== 'SUCCESS' || t.attempts !== 1)).toEqual([]);
    // A redelivered job (a lost lock) re-runs its inline steps: each would start twice.
    const events = (await cluster.stack.client?.store.readEvents('long-chain')) ?? [];
    const starts = new Map<string, number>();
    for (const e of events)
      if (e.type === 'task.started') starts.set(e.task_id, (starts.get(e.task_id) ?? 0) + 1);
    expect(starts.size).toBe(STEPS);
    expect([...starts].filter(([, n]) => n !== 1)).toEqual([]);
    expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
  }, 180_000);
});
