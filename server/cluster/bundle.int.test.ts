/**
 * Bundles on a real cluster (bundle.ts): a small header's members in one job run one after another in
 * one worker, and a slow member sends the members that have not started out as jobs of their own, so
 * they run beside it. (The job shapes are checked in queues.int.test.ts, simulator agreement with every
 * small header bundled in differential.int.test.ts, kills mid-bundle in crash.int.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../lib/protocol/events';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';
import { runReport } from '../runs/report';

let cluster: TestCluster;
beforeAll(async () => {
  // Every small header bundled, whatever the backlog; a 2 s lock, so a job runs members inline for 500 ms.
  cluster = await startTestCluster({ workers: 2, concurrency: 4, env: { CHORDFLOW_BUNDLE_BACKLOG: '0' } });
});
afterAll(() => cluster.close());

type Started = Extract<RunEvent, { type: 'task.started' }>;
type Succeeded = Extract<RunEvent, { type: 'task.succeeded' }>;

async function events(runId: string): Promise<RunEvent[]> {
  return cluster.stack.client!.store.readEvents(runId);
}

describe('a bundled header', () => {
  it("runs its members one after another in one worker's job", async () => {
    const report = await cluster.run({
      chord: {
        header: [
          { task: 'identity', args: [1], id: 'a' },
          { task: 'identity', args: [2], id: 'b' },
          { task: 'identity', args: [3], id: 'c' },
        ],
        body: { task: 'tsum' },
      },
    });
    expect(report.status).toBe('success');
    expect(report.result).toBe(6);
    const ev = await events(report.run_id);
    const started = ev.filter((e): e is Started => e.type === 'task.started');
    const worker = (id: string) => started.find((e) => e.task_id === id)?.worker;
    expect(worker('a')).toBeDefined();
    expect(worker('b')).toBe(worker('a'));
    expect(worker('c')).toBe(worker('a'));
    // In order, each after the one before it ended.
    const seq = (type: string, id: string) =>
      ev.find((e) => e.type === type && 'task_id' in e && e.task_id === id)?.seq ?? -1;
    expect(seq('task.started', 'b')).toBeGreaterThan(seq('task.succeeded', 'a'));
    expect(seq('task.started', 'c')).toBeGreaterThan(seq('task.succeeded', 'b'));
  });

  it('sends the members that have not started out on their own when one is slow', async () => {
    const report = await cluster.run({
      chord: {
        header: [
          { task: 'delayed', args: [1], kwargs: { ms: 1500 }, id: 'slow' },
          { task: 'identity', args: [2], id: 'quick1' },
          { task: 'identity', args: [3], id: 'quick2' },
        ],
        body: { task: 'tsum' },
      },
    });
    expect(report.status).toBe('success');
    expect(report.result).toBe(6);
    const ev = await events(report.run_id);
    const slowEnd = ev.find((e): e is Succeeded => e.type === 'task.succeeded' && e.task_id === 'slow');
    expect(slowEnd).toBeDefined();
    // The quick ones ran while the slow one was still running: 500 ms in, not after its 1.5 s.
    for (const id of ['quick1', 'quick2']) {
      const done = ev.find((e): e is Succeeded => e.type === 'task.succeeded' && e.task_id === id);
      expect(done, id).toBeDefined();
      expect(done!.seq, id).toBeLessThan(slowEnd!.seq);
      expect(done!.at, id).toBeLessThan(slowEnd!.at - 500);
    }
    // Each ran once, and the body once.
    const starts = ev.filter((e): e is Started => e.type === 'task.started').map((e) => e.task_id);
    expect([...starts].sort()).toEqual([...new Set(starts)].sort());
    expect(starts).toHaveLength(4);
  });

  it('sends out only the members after a slow one that is not first; the slow one runs once', async () => {
    const report = await cluster.run({
      chord: {
        header: [
          { task: 'identity', args: [1], id: 'first' },
          { task: 'delayed', args: [2], kwargs: { ms: 1500 }, id: 'middle' },
          { task: 'identity', args: [3], id: 'last' },
        ],
        body: { task: 'tsum' },
      },
    });
    expect(report.status).toBe('success');
    expect(report.result).toBe(6);
    const ev = await events(report.run_id);
    const starts = ev.filter((e): e is Started => e.type === 'task.started').map((e) => e.task_id);
    // Every task started once: the slow member kept running in the bundle and was not sent out too.
    expect(starts.filter((id) => id === 'middle')).toHaveLength(1);
    expect(starts).toHaveLength(4);
    expect(new Set(starts).size).toBe(4);
    const middleEnd = ev.find((e): e is Succeeded => e.type === 'task.succeeded' && e.task_id === 'middle');
    const lastEnd = ev.find((e): e is Succeeded => e.type === 'task.succeeded' && e.task_id === 'last');
    expect(lastEnd!.seq).toBeLessThan(middleEnd!.seq);
  });

  it('stops at a cancel: members not started never start, and the run ends canceled', async () => {
    const client = cluster.stack.client!;
    const run = await client.submit({
      file: client.parseCanvas({
        chord: {
          header: [
            { task: 'delayed', args: [1], kwargs: { ms: 1200 }, id: 'long' },
            { task: 'identity', args: [2], id: 'next1' },
            { task: 'identity', args: [3], id: 'next2' },
          ],
          body: { task: 'tsum', id: 'body' },
        },
      }),
    });
    const deadline = Date.now() + 10_000;
    while (!(await events(run.id)).some((e) => e.type === 'task.started' && e.task_id === 'long')) {
      if (Date.now() > deadline) throw new Error('the long member never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    await client.cancel(run.id);
    // Past the moment the job would send the others out (500 ms) and the long member's end.
    await new Promise((r) => setTimeout(r, 2000));
    const ev = await events(run.id);
    const started = ev.filter((e): e is Started => e.type === 'task.started').map((e) => e.task_id);
    expect(started).toEqual(['long']);
    expect((await client.store.getRun(run.id))?.status).toBe('canceled');
  });
});

describe('a packed bundle (several runs in one job)', () => {
  const chord = (header: unknown[]) => ({ chord: { header, body: { task: 'tsum' } } });
  const quick = (run: number) => [
    { task: 'identity', args: [run], id: 'x' },
    { task: 'identity', args: [10 * run], id: 'y' },
  ];

  /** Submits `canvases` in one turn (their jobs are added together) and waits for every report. */
  async function submitTogether(canvases: unknown[]) {
    const client = cluster.stack.client!;
    const runs = await Promise.all(canvases.map((c) => client.submit({ file: client.parseCanvas(c) })));
    return { client, runs };
  }
  async function reportOf(runId: string) {
    const client = cluster.stack.client!;
    await client.waitFinished(runId, 20_000);
    return runReport(runId, await client.store.readEvents(runId));
  }
  const jobKey = (id: string) => `${cluster.stack.client!.prefix}:tasks:${id}`;

  it("carries four small chord runs' headers, and each run ends with its own result", async () => {
    const { client, runs } = await submitTogether([1, 2, 3, 4].map((r) => chord(quick(r))));
    // One job carrying all eight members, its id the last run's first member's key (that run is run
    // last: its cleanup waits for the whole job); no other member has a job of its own.
    const data = await client.redis.hget(jobKey(`${runs[3]!.id}.t.x`), 'data');
    const members = (JSON.parse(data ?? '{}') as { u?: Array<{ y: string }> }).u?.map((m) => m.y);
    expect(members).toEqual(runs.flatMap((r) => [`${r.id}.t.x`, `${r.id}.t.y`]));
    for (const r of runs.slice(0, 3)) expect(await client.redis.exists(jobKey(`${r.id}.t.x`))).toBe(0);
    for (const [i, r] of runs.entries()) {
      const report = await reportOf(r.id);
      expect(report?.status).toBe('success');
      expect(report?.result).toBe(11 * (i + 1));
    }
  });

  it("sends the other runs' members out on their own when one run's member is slow", async () => {
    const { runs } = await submitTogether([
      chord([{ task: 'delayed', args: [1], kwargs: { ms: 1500 }, id: 'x' }, quick(1)[1]]),
      chord(quick(2)),
      chord(quick(3)),
    ]);
    const reports = await Promise.all(runs.map((r) => reportOf(r.id)));
    expect(reports.map((r) => r?.status)).toEqual(['success', 'success', 'success']);
    expect(reports.map((r) => r?.result)).toEqual([11, 22, 33]);
    /** When (epoch ms) run `i` logged its first event of `type` (for `task`, if given). */
    const when = async (i: number, type: string, task?: string) => {
      const ev = (await events(runs[i]!.id)).find(
        (e) => e.type === type && (task === undefined || ('task_id' in e && e.task_id === task)),
      );
      expect(ev, `${type} ${task ?? ''} of run ${i}`).toBeDefined();
      return runs[i]!.started_ms + (ev?.at ?? 0);
    };
    // The other members did not wait for the slow one: they ran ~500 ms in, long before its 1.5 s; the
    // middle run ended then. The last run's first member is the job's own: it runs in the job, after the
    // slow one (sent out, its add would find the job itself), and its run ends after it.
    const slowEnd = await when(0, 'task.succeeded', 'x');
    expect(await when(0, 'task.succeeded', 'y')).toBeLessThan(slowEnd - 500);
    expect(await when(1, 'run.finished')).toBeLessThan(slowEnd - 500);
    expect(await when(2, 'task.succeeded', 'y')).toBeLessThan(slowEnd - 500);
    expect(await when(2, 'task.started', 'x')).toBeGreaterThanOrEqual(slowEnd);
    // Every task ran once: two members and the body per run.
    for (const r of runs) {
      const starts = (await events(r.id)).filter((e): e is Started => e.type === 'task.started');
      expect(starts).toHaveLength(3);
      expect(new Set(starts.map((e) => e.task_id)).size).toBe(3);
    }
  });

  it('stops only the canceled run: the runs packed with it run on and succeed', async () => {
    const { client, runs } = await submitTogether([
      chord([{ task: 'delayed', args: [1], kwargs: { ms: 1200 }, id: 'x' }, quick(1)[1]]),
      chord(quick(2)),
    ]);
    const deadline = Date.now() + 10_000;
    while (!(await events(runs[0]!.id)).some((e) => e.type === 'task.started' && e.task_id === 'x')) {
      if (Date.now() > deadline) throw new Error('the long member never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    await client.cancel(runs[0]!.id);
    const other = await reportOf(runs[1]!.id);
    expect(other?.status).toBe('success');
    expect(other?.result).toBe(22);
    await new Promise((r) => setTimeout(r, 1500));
    const started = (await events(runs[0]!.id)).filter((e): e is Started => e.type === 'task.started');
    expect(started.map((e) => e.task_id)).toEqual(['x']);
    expect((await client.store.getRun(runs[0]!.id))?.status).toBe('canceled');
  });
});
