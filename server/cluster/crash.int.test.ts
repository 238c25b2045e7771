/**
 * Crash safety: SIGKILL of a worker process mid-task and mid-chord. The killed job is redelivered after
 * the lock expires, every task completes once (`record` observations are appended on completion), every
 * chord body runs exactly once and the run completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../lib/canvas/model';
import type { RunEvent } from '../../lib/protocol/events';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { spawnWorker, type WorkerProcess } from '../../tests/support/workerProcess';

let cluster: TestCluster;
const children: WorkerProcess[] = [];

beforeAll(async () => {
  cluster = await startTestCluster({ workers: 0 });
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.kill()));
  await cluster.close();
});

async function workers(n: number): Promise<WorkerProcess[]> {
  const env = {
    REDIS_URL: testRedisUrl(),
    CHORDFLOW_PREFIX: cluster.config.keyPrefix,
    CHORDFLOW_LOCK_MS: '2000',
    CHORDFLOW_STALLED_MS: '1000',
    CHORDFLOW_WORKER_CONCURRENCY: '2',
    CHORDFLOW_TASKS_DIR: './tasks',
  };
  const started = await Promise.all(Array.from({ length: n }, () => spawnWorker(env)));
  children.push(...started);
  return started;
}

async function waitFor(
  runId: string,
  pred: (events: RunEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<RunEvent[]> {
  const store = cluster.stack.client!.store;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await store.readEvents(runId);
    if (pred(events)) return events;
    if (Date.now() > deadline)
      throw new Error(
        `timed out; last events: ${events
          .slice(-5)
          .map((e) => e.type)
          .join(', ')}`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

const rec = (tag: string): Json => ({ task: 'record', kwargs: { tag } });
const slow = (x: number, ms: number, tag: string): Json => ({
  chain: [{ task: 'delayed', args: [x], kwargs: { ms } }, rec(tag)],
});

function tags(events: RunEvent[]): string[] {
  return events
    .filter((e): e is Extract<RunEvent, { type: 'observation' }> => e.type === 'observation')
    .map((e) => String((e.observation as { tag: string }).tag))
    .sort();
}

describe('SIGKILL of worker processes', () => {
  it('redelivers a task killed mid-run; everything completes exactly once', async () => {
    const [a, b] = await workers(2);
    const client = cluster.stack.client!;
    const canvas = {
      chord: {
        // Six long members on two workers of concurrency 2: both workers must run some.
        header: [1, 2, 3, 4, 5, 6].map((i) => slow(i, 1500, `h${i}`)),
        body: { chain: [{ task: 'tsum' }, rec('body')] },
      },
    };
    const run = await client.submit({ file: client.parseCanvas(canvas) });
    // Wait until the victim is running a long task, then kill it.
    // Wait until the victim is running a long task (`delayed`, the first step of each header chain), then kill it.
    const isSlow = (e: RunEvent, worker?: string): e is Extract<RunEvent, { type: 'task.started' }> =>
      e.type === 'task.started' &&
      e.task_id.endsWith('.tasks.0') &&
      (worker === undefined || e.worker === worker);
    const running = await waitFor(run.id, (ev) => ev.some((e) => isSlow(e, a!.name)));
    const victimTask = running.find((e) => isSlow(e, a!.name))!.task_id;
    const killedAt = Date.now();
    await a!.kill('SIGKILL');
    const events = await waitFor(run.id, (ev) => ev.some((e) => e.type === 'run.finished'), 30_000);
    const redelivered = events.find(
      (e) => e.type === 'task.started' && e.task_id === victimTask && e.worker === b!.name,
    );
    const trail = events
      .filter((e) => 'task_id' in e && e.task_id === victimTask)
      .map((e) => `${e.type}@${e.at}:${'worker' in e ? e.worker : ''}`);
    expect(
      redelivered,
      `the killed task was redelivered to the other worker (${a!.name} → ${b!.name}): ${trail.join(', ')}`,
    ).toBeDefined();
    const finished = events.find((e) => e.type === 'run.finished') as Extract<
      RunEvent,
      { type: 'run.finished' }
    >;
    expect(finished.status).toBe('success');
    expect(finished.result).toBe(21);
    expect(tags(events)).toEqual(['body', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
    const redeliveryMs = (await client.store.getRun(run.id))!.started_ms + redelivered!.at - killedAt;
    process.stdout.write(
      `${JSON.stringify({ bench: 'crash', case: 'redelivery_after_sigkill', ms: redeliveryMs })}\n`,
    );
  }, 60_000);

  it('survives a kill mid-chord (header half done); the body runs exactly once', async () => {
    const pair = await workers(2);
    const client = cluster.stack.client!;
    const canvas = {
      chord: {
        header: [
          slow(1, 10, 'f1'),
          slow(2, 10, 'f2'),
          slow(3, 1200, 's1'),
          slow(4, 1200, 's2'),
          slow(5, 1200, 's3'),
        ],
        body: { chain: [{ task: 'tsum' }, rec('body')] },
      },
    };
    const run = await client.submit({ file: client.parseCanvas(canvas) });
    const isSlowStart = (e: RunEvent): e is Extract<RunEvent, { type: 'task.started' }> =>
      e.type === 'task.started' && /^task\.header\.[234]\.tasks\.0$/.test(e.task_id);
    // Half the header is done and a slow member is running (on a loaded machine it may start a bit later).
    const before = await waitFor(
      run.id,
      (ev) => ev.some((e) => e.type === 'chord.progress' && e.done >= 2) && ev.some(isSlowStart),
    );
    // The victim is a worker running one of the slow header members right now.
    const slowStart = before.find(isSlowStart)!;
    // The surviving worker of the first test also consumes this prefix: the victim may be any of them.
    const victim = children.find((w) => w.name === slowStart.worker)!;
    await victim.kill('SIGKILL');
    const events = await waitFor(run.id, (ev) => ev.some((e) => e.type === 'run.finished'), 30_000);
    const finished = events.find((e) => e.type === 'run.finished') as Extract<
      RunEvent,
      { type: 'run.finished' }
    >;
    expect(finished.status).toBe('success');
    expect(finished.result).toBe(15);
    expect(tags(events)).toEqual(['body', 'f1', 'f2', 's1', 's2', 's3']);
    const bodyStarts = events.filter((e) => e.type === 'task.started' && e.task_id.startsWith('task.body'));
    expect(new Set(bodyStarts.map((e) => (e as { task_id: string }).task_id)).size).toBe(2);
    expect(bodyStarts).toHaveLength(2);
    expect(pair).toHaveLength(2);
    expect(
      events.some(
        (e) => e.type === 'task.started' && e.task_id === slowStart.task_id && e.worker !== victim.name,
      ),
      'the killed header member was redelivered',
    ).toBe(true);
  }, 60_000);

  it('survives a kill while a rootless run ends in its chord job (rootless.ts): one run.finished', async () => {
    await workers(2);
    const client = cluster.stack.client!;
    // One chord, no callbacks in its header: no root job; the body runs inline in the chord's barrier
    // job, which then ends the run. Killed mid-body, that job is redelivered and ends the run once.
    const canvas = {
      chord: {
        header: [rec('h')],
        body: {
          chain: [
            { task: 'delayed', args: [7], kwargs: { ms: 1500 }, id: 'slowbody', immutable: true },
            rec('body'),
          ],
        },
      },
    };
    const run = await client.submit({ file: client.parseCanvas(canvas) });
    const started = await waitFor(run.id, (ev) =>
      ev.some((e) => e.type === 'task.started' && e.task_id === 'slowbody'),
    );
    const first = started.find((e) => e.type === 'task.started' && e.task_id === 'slowbody') as Extract<
      RunEvent,
      { type: 'task.started' }
    >;
    await children.find((w) => w.name === first.worker)!.kill('SIGKILL');
    const events = await waitFor(run.id, (ev) => ev.some((e) => e.type === 'run.finished'), 30_000);
    // Give a second (wrong) end the time to show up.
    await new Promise((r) => setTimeout(r, 500));
    const all = await client.store.readEvents(run.id);
    const ends = all.filter((e) => e.type === 'run.finished') as Array<
      Extract<RunEvent, { type: 'run.finished' }>
    >;
    expect(ends).toHaveLength(1);
    expect(ends[0]?.status).toBe('success');
    expect(ends[0]?.result).toBe(7);
    // The body's own process died mid-run: it ran again (at-least-once), and the chain went on once.
    expect(all.filter((e) => e.type === 'task.started' && e.task_id === 'slowbody').length).toBe(2);
    expect(tags(events)).toEqual(['body', 'h']);
  }, 60_000);
});
