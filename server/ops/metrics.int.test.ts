/** GET /metrics on a real cluster: Prometheus text with task, run, queue and worker figures. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ api: true });
});
afterAll(() => cluster.close());

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts tasks by state, times attempts and runs, reports queues and workers', async () => {
    // The metrics stream subscription is set up in the background: wait until it sees a run.
    let text = '';
    for (let i = 0; i < 50; i++) {
      const report = await cluster.run({
        chain: [
          { task: 'add', args: [1, 2] },
          { task: 'add', args: [3] },
        ],
      });
      expect(report.status).toBe('success');
      const r = await fetch(`${cluster.api!.url}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/plain');
      text = await r.text();
      if ((value(text, 'chordflow_runs_finished_total{status="success"}') ?? 0) > 0) break;
    }
    expect(value(text, 'chordflow_tasks_total{state="succeeded"}')).toBeGreaterThanOrEqual(2);
    expect(value(text, 'chordflow_tasks_total{state="started"}')).toBeGreaterThanOrEqual(2);
    expect(value(text, 'chordflow_task_duration_seconds_count{outcome="success"}')).toBeGreaterThanOrEqual(2);
    expect(value(text, 'chordflow_run_duration_seconds_count{status="success"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'chordflow_workers_live')).toBe(1);
    expect(value(text, 'chordflow_redis_up')).toBe(1);
    expect(value(text, 'chordflow_queue_jobs{queue="tasks",state="waiting"}')).toBe(0);
    expect(text).toContain('# TYPE chordflow_task_duration_seconds histogram');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('shows the depth of a queue no worker consumes (a run waiting for a gpu worker)', async () => {
    const client = cluster.stack.client;
    if (!client) throw new Error('no cluster client');
    await client.submit({
      file: client.parseCanvas({ task: 'add', args: [1, 2], options: { queue: 'gpu' } }),
    });
    const r = await fetch(`${cluster.api!.url}/metrics`);
    const text = await r.text();
    expect(value(text, 'chordflow_queue_jobs{queue="task.gpu",state="waiting"}')).toBe(1);
  });
});
