/**
 * Every canvas rule of the core, run for real on BullMQ workers against the private Redis: one small
 * canvas per rule, asserting the values, states and errors Celery produces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../lib/canvas/model';
import type { RunReport } from '../../lib/protocol/report';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ workers: 2, concurrency: 4 });
});
afterAll(() => cluster.close());

function task(report: RunReport, id: string) {
  const t = report.tasks.find((x) => x.id === id);
  if (!t) throw new Error(`no task ${id} in ${report.tasks.map((x) => x.id).join(', ')}`);
  return t;
}

const t = (name: string, args: Json[] = [], extra: Record<string, Json> = {}): Json => ({
  task: name,
  args,
  ...extra,
});

describe('canvas rules on the cluster', () => {
  it('passes results along a chain', async () => {
    const r = await cluster.run({ chain: [t('add', [2, 3]), t('mul', [4]), t('add', [1])] });
    expect(r.status).toBe('success');
    expect(r.result).toBe(21);
  });

  it('does not pass the parent result to an immutable signature', async () => {
    const r = await cluster.run({ chain: [t('add', [1, 1]), t('add', [5, 5], { immutable: true })] });
    expect(r.result).toBe(10);
  });

  it('keeps group results in member order whatever the durations', async () => {
    const r = await cluster.run({
      group: [
        t('delayed', [1], { kwargs: { ms: 80 } }),
        t('delayed', [2], { kwargs: { ms: 5 } }),
        t('delayed', [3], { kwargs: { ms: 40 } }),
      ],
    });
    expect(r.status).toBe('success');
    expect(r.result).toEqual([1, 2, 3]);
  });

  it('hands the chord body its header results in header order under shuffled durations', async () => {
    const r = await cluster.run({
      chord: {
        header: [
          t('delayed', ['a'], { kwargs: { ms: 60 } }),
          t('delayed', ['b'], { kwargs: { ms: 1 } }),
          t('delayed', ['c'], { kwargs: { ms: 30 } }),
        ],
        body: t('identity', [], { id: 'body' }),
      },
    });
    expect(r.result).toEqual(['a', 'b', 'c']);
    expect(task(r, 'body').attempts).toBe(1);
  });

  it('runs nested chords (a chord in a chord header)', async () => {
    const r = await cluster.run({
      chord: {
        header: [
          { chord: { header: [t('add', [1, 1]), t('add', [2, 2])], body: t('tsum') } },
          t('add', [3, 3]),
        ],
        body: t('tsum'),
      },
    });
    expect(r.status).toBe('success');
    expect(r.result).toBe(12);
  });

  it('fails a chord with ChordError naming the first failed member and runs the errbacks', async () => {
    const r = await cluster.run({
      chord: {
        header: [t('identity', [1]), t('fail', [3], { id: 'bad' })],
        body: t('tsum', [], { id: 'sum', link_error: [t('on_error_id', [], { kwargs: { tag: 'eb' } })] }),
      },
    });
    expect(r.status).toBe('failure');
    expect(r.error?.type).toBe('ChordError');
    expect(r.error?.message).toBe("Dependency bad raised ExpectedException('Task expected to fail', 3)");
    expect(task(r, 'bad').state).toBe('FAILURE');
    expect(task(r, 'sum').state).toBe('FAILURE');
    expect(task(r, 'sum').attempts).toBe(0);
    expect(r.observations).toContainEqual({ kind: 'on_error_id', tag: 'eb', task_id: 'sum' });
  });

  it('retries with the core countdown on BullMQ delayed jobs', async () => {
    const r = await cluster.run(t('flaky', [2, 'done'], { id: 'fl' }));
    expect(r.status).toBe('success');
    expect(r.result).toBe('done');
    const fl = task(r, 'fl');
    expect(fl.attempts).toBe(3);
    expect(fl.history.map((h) => h.outcome)).toEqual(['retry', 'retry', 'success']);
    // Countdown 0.2 s between an attempt's end and the next start (a delayed job, not a busy loop).
    const [a1, a2] = fl.history;
    expect(a2!.started_at - a1!.finished_at).toBeGreaterThanOrEqual(150);
  });

  it('gives up after max_retries with the last exception', async () => {
    const r = await cluster.run(
      t('autoflaky', [5, 'never'], { id: 'af', options: { default_retry_delay: 0.01 } }),
    );
    expect(r.status).toBe('failure');
    expect(task(r, 'af').attempts).toBe(3);
    expect(r.error?.type).toBe('ExpectedException');
  });

  it('replaces a task by its replacement signature (Task.replace)', async () => {
    const r = await cluster.run({ chain: [t('add_replaced', [2, 3]), t('mul', [10])] });
    expect(r.status).toBe('success');
    expect(r.result).toBe(50);
  });

  it('adds tasks to a running chord (add_to_chord)', async () => {
    const r = await cluster.run({
      chord: { header: [t('add_to_chord_task', [[1, 2], 10]), t('identity', [5])], body: t('identity') },
    });
    expect(r.status).toBe('success');
    expect(r.result).toEqual([0, 5, 11, 12]);
  });

  it('marks the rest of a chain FAILURE after a failure and calls the new-style errback', async () => {
    const r = await cluster.run({
      chain: [
        t('fail', [], { id: 'f1', link_error: [t('on_error', [], { kwargs: { tag: 'new' } })] }),
        t('identity', [], { id: 'next' }),
      ],
    });
    expect(r.status).toBe('failure');
    expect(task(r, 'next').attempts).toBe(0);
    expect(r.observations).toContainEqual(
      expect.objectContaining({ kind: 'on_error', tag: 'new', task_id: 'f1', exc_type: 'ExpectedException' }),
    );
  });

  it('runs link callbacks with the result', async () => {
    const r = await cluster.run(t('add', [1, 2], { link: [t('record', [], { kwargs: { tag: 'cb' } })] }));
    expect(r.status).toBe('success');
    expect(r.observations).toContainEqual({ kind: 'record', tag: 'cb', value: 3 });
  });

  it('runs user tasks from the tasks directory', async () => {
    const r = await cluster.run({ chain: [t('identity', ['hi']), t('example_upper')] });
    expect(r.result).toBe('HI');
    const bad = await cluster.run(t('example_upper', [3], { id: 'eu' }));
    expect(bad.status).toBe('failure');
    expect(bad.error).toMatchObject({ type: 'TypeError', message: 'example_upper expects a string, got 3' });
  });

  it("removes a finished run's jobs from BullMQ (the run record and log stay)", async () => {
    const r = await cluster.run({ chord: { header: [t('add', [1, 1]), t('add', [2, 2])], body: t('tsum') } });
    expect(r.status).toBe('success');
    // A chord with an empty header is released by a `barriers` job: that one goes too.
    const empty = await cluster.run({ chain: [{ chord: { header: [], body: t('tsum') } }, t('add', [1])] });
    expect(empty.result).toBe(1);
    const dispatcher = cluster.stack.client!;
    const deadline = Date.now() + 5000;
    for (;;) {
      const tasks = await dispatcher.dispatcher.queue('tasks').getJobCounts('completed', 'waiting', 'active');
      const barriers = await dispatcher.dispatcher.queue('barriers').getJobCounts('completed', 'waiting');
      // Our barrier hash of the run goes too, and the run leaves the set of ended runs to clean.
      const redis = cluster.stack.redis!;
      const prefix = cluster.config.keyPrefix;
      const ours =
        (await redis.exists(`${prefix}:run:${r.run_id}:barrier`)) + (await redis.zcard(`${prefix}:ended`));
      const left =
        Object.values(tasks).reduce((a, b) => a + b, 0) +
        Object.values(barriers).reduce((a, b) => a + b, 0) +
        ours;
      if (left === 0) break;
      if (Date.now() > deadline)
        throw new Error(`jobs left after the runs ended: ${JSON.stringify({ tasks, barriers, ours })}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    expect((await cluster.stack.client!.store.readEvents(r.run_id)).length).toBeGreaterThan(0);
  });

  it('cancel removes waiting and delayed jobs at once, the running one once it stops, and the barrier hash', async () => {
    const client = cluster.stack.client!;
    const redis = cluster.stack.redis!;
    const prefix = cluster.config.keyPrefix;
    const rec = await client.submit({
      file: client.parseCanvas({
        group: [
          t('delayed', [1], { kwargs: { ms: 600 }, id: 'running' }),
          t('add', [1, 2], { options: { queue: 'nobody' }, id: 'waiting' }),
          t('add', [1, 2], { options: { apply_countdown: 60 }, id: 'later' }),
        ],
      }),
    });
    const key = (id: string) => `${rec.id}.t.${id}`;
    for (let i = 0; i < 200; i++) {
      const events = await client.store.readEvents(rec.id);
      if (events.some((e) => e.type === 'task.started' && e.task_id === 'running')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await client.dispatcher.jobExists('task.nobody', key('waiting'))).toBe(true);
    expect(await client.dispatcher.queue('tasks').getJobState(key('later'))).toBe('delayed');
    await client.cancel(rec.id);
    expect(await client.dispatcher.jobExists('task.nobody', key('waiting'))).toBe(false);
    expect(await client.dispatcher.jobExists('tasks', key('later'))).toBe(false);
    // The running task is aborted; its job completes as a no-op and goes with the next sweep.
    const deadline = Date.now() + 15_000;
    while (
      (await client.dispatcher.jobExists('tasks', key('running'))) ||
      (await redis.exists(`${prefix}:run:${rec.id}:barrier`)) === 1
    ) {
      if (Date.now() > deadline) throw new Error('the canceled run left a job or its barrier hash behind');
      await new Promise((r) => setTimeout(r, 50));
    }
    const events = await client.store.readEvents(rec.id);
    expect(events.filter((e) => e.type === 'run.finished')).toHaveLength(1);
    expect(events.some((e) => e.type === 'task.succeeded')).toBe(false);
  });

  it('a duplicate submit of the same run id adds nothing', async () => {
    const canvas = t('record', ['once'], { kwargs: { tag: 'dup' } });
    const first = await cluster.run(canvas, { runId: 'dup-run-1' });
    const second = await cluster.run(canvas, { runId: 'dup-run-1' });
    expect(first.observations).toEqual([{ kind: 'record', tag: 'dup', value: 'once' }]);
    expect(second.observations).toEqual(first.observations);
    const events = await cluster.stack.client!.store.readEvents('dup-run-1');
    expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'task.started')).toHaveLength(1);
  });
});
