/**
 * Crash safety: SIGKILL of a worker process mid-task and mid-chord. The killed job is redelivered after
 * the lock expires, every task completes once (`record` observations are appended on completion), every
 * chord body runs exactly once and the run completes. Then workers that kill themselves at random
 * points of their jobs (crashPoints.ts): every run still ends once, as the simulator says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../lib/canvas/model';
import type { RunEvent } from '../../lib/protocol/events';
import type { RunReport } from '../../lib/protocol/report';
import { simulate } from '../../lib/sim';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { spawnWorker, type WorkerProcess } from '../../tests/support/workerProcess';
import { runReport } from '../runs/report';
import { ClusterClient } from './client';

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
    if (Date.now() > deadline) {
      // What the run waits for: its barrier hash (pending members) and their jobs' states.
      const redis = cluster.stack.redis!;
      const hash = await redis.hgetall(`${cluster.config.keyPrefix}:run:${runId}:barrier`);
      const pending = Object.keys(hash).filter((k) => hash[k] === '0');
      const states = await Promise.all(
        pending.map(
          async (k) => `${k}=${await cluster.stack.client!.dispatcher.queue('tasks').getJobState(k)}`,
        ),
      );
      throw new Error(
        `timed out; last events: ${events
          .slice(-5)
          .map((e) => e.type)
          .join(', ')}; barrier: ${JSON.stringify(hash)}; pending jobs: ${states.join(', ')}`,
      );
    }
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

  it('survives a kill while the last header job runs the body and ends the run: one run.finished', async () => {
    await workers(2);
    const client = cluster.stack.client!;
    // One chord: the only header member's job releases the chord, runs the body inline and ends the
    // run. Killed mid-body, that job is redelivered and ends the run once.
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
    // The body's process died mid-run: its job (the header member's) ran again, at-least-once — the
    // member, then the body — and the chain went on once.
    expect(all.filter((e) => e.type === 'task.started' && e.task_id === 'slowbody').length).toBe(2);
    expect(tags(events)).toEqual(['body', 'h', 'h']);
  }, 60_000);

  it.each([
    ['one job per header member', Number.POSITIVE_INFINITY],
    ['small headers bundled', 0],
  ])(
    'kills at random points (after the store writes, the adds, the completion script, before BullMQ completes): every run ends as the simulator says (%s)',
    async (_mode, backlog) => {
      // Earlier cases' workers are gone or going: these three kill themselves at random points of their
      // jobs (crashPoints.ts) and are restarted, until every run has ended.
      for (const c of children.splice(0)) await c.kill();
      const crashing = {
        CHORDFLOW_CRASH_POINTS: 'flushed:0.03,added:0.03,completed:0.04,released:0.04',
        CHORDFLOW_WORKER_CONCURRENCY: '3',
        CHORDFLOW_BUNDLE_BACKLOG: String(backlog === 0 ? 0 : 'off'),
      };
      // A new worker takes jobs before it says it is ready: it may kill itself while starting (a job left
      // from an earlier case); such a start is tried again.
      const spawnUp = async (tries = 5): Promise<WorkerProcess> =>
        spawnCrashing(crashing).catch((err: unknown) => {
          if (tries <= 1) throw err;
          return spawnUp(tries - 1);
        });
      const pool = await Promise.all([0, 1, 2].map(() => spawnUp()));
      let kills = 0;
      let stop = false;
      const supervisor = (async () => {
        while (!stop) {
          for (let i = 0; i < pool.length; i++) {
            const w = pool[i]!;
            if (w.child.exitCode !== null || w.child.signalCode !== null) {
              kills++;
              // A new worker takes jobs before it says it is ready: it may kill itself while starting.
              pool[i] = await spawnCrashing(crashing).catch(() => w);
            }
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      // The submit's own dispatcher bundles too (bundle.ts): a run's first headers are its jobs.
      const own = cluster.stack.client!;
      const client = new ClusterClient(own.redis, own.prefix, own.catalogue, { bundleBacklog: backlog });
      const add = (a: number, b: number, tag: string): Json => ({
        chain: [
          { task: 'add', args: [a, b] },
          { task: 'record', kwargs: { tag } },
        ],
      });
      const canvases: Json[] = [
        // A chord whose body has a callback (sent under the root) and a chain in it.
        {
          chord: {
            header: [add(1, 1, 'a.h1'), add(2, 2, 'a.h2'), add(3, 3, 'a.h3')],
            body: { chain: [{ task: 'tsum' }, rec('a.body')], link: [rec('a.link')] },
          },
        },
        // A chord inside a chord's header, then a chain of two chords.
        {
          chord: {
            header: [
              { chord: { header: [add(1, 2, 'b.i1'), add(3, 4, 'b.i2')], body: { task: 'tsum' } } },
              add(5, 5, 'b.h'),
            ],
            body: { chain: [{ task: 'tsum' }, rec('b.body')] },
          },
        },
        {
          chain: [
            { chord: { header: [add(1, 0, 'c.h1'), add(2, 0, 'c.h2')], body: { task: 'tsum' } } },
            {
              chord: {
                header: [rec('c.h3'), rec('c.h4')],
                body: { chain: [{ task: 'identity', args: [9], immutable: true }, rec('c.body')] },
              },
            },
          ],
        },
        // A failing header member: the body is marked, errback tasks go under the root.
        {
          chord: {
            header: [add(1, 1, 'd.h1'), { task: 'fail', args: [1] }],
            body: { task: 'tsum', link_error: [{ task: 'on_error_id', kwargs: { tag: 'd.err' } }] },
          },
        },
        // A group of 12, and a chord with an empty header (released by a `barriers` job).
        { group: Array.from({ length: 12 }, (_, i) => add(i, 1, `e.m${i}`)) },
        { chain: [{ chord: { header: [], body: { task: 'tsum' } } }, rec('f.after')] },
      ];
      const files = canvases.map((c) => client.parseCanvas(c));
      const runs = await Promise.all(files.map((file) => client.submit({ file })));
      const ends: RunEvent[][] = [];
      for (const run of runs)
        ends.push(await waitFor(run.id, (ev) => ev.some((e) => e.type === 'run.finished'), 120_000));
      // Late duplicates (a redelivered job redoing the run's end) would show up now.
      await new Promise((r) => setTimeout(r, 1000));
      stop = true;
      await supervisor;
      // Workers alive at the end never died: a task they ran must not have run again.
      const alive = new Set(
        pool.filter((w) => w.child.exitCode === null && w.child.signalCode === null).map((w) => w.name),
      );
      await Promise.all(pool.map((w) => w.kill()));
      await client.close();
      process.stdout.write(`${JSON.stringify({ bench: 'crash', case: 'random_crash_points', kills })}\n`);
      for (const [i, run] of runs.entries()) {
        const events = await client.store.readEvents(run.id);
        const label = JSON.stringify(canvases[i]);
        expect(
          events.filter((e) => e.type === 'run.finished'),
          label,
        ).toHaveLength(1);
        const simulated = simulate(files[i]!, {
          catalogue: cluster.stack.registry.catalogue,
          seed: 7,
        }).report;
        expect(outcome(runReport(run.id, events)), label).toEqual(outcome(simulated));
        // Every body and callback ran (at least once: a job killed after running one redoes it), and
        // never before the header that releases it had finished.
        const seen = tags(events);
        for (const tag of new Set(simulated.observations.map((o) => String((o as { tag: string }).tag))))
          expect(seen, `${label}: ${tag}`).toContain(tag);
        const at = (tag: string, pick: 'first' | 'last') => {
          const idx = events.flatMap((e, j) =>
            e.type === 'observation' && (e.observation as { tag: string }).tag === tag ? [j] : [],
          );
          return pick === 'first' ? Math.min(...idx) : Math.max(...idx);
        };
        for (const body of seen.filter((t) => t.endsWith('.body') || t.endsWith('.link'))) {
          const run = body.split('.')[0];
          for (const h of seen.filter((t) => t.startsWith(`${run}.h`)))
            expect(at(body, 'first'), `${body} after ${h}`).toBeGreaterThan(at(h, 'first'));
        }
        // A task runs again only when the process that ran it died (at-least-once, README): every start of
        // a task attempt but the last was in a worker that was killed. A double release would break this.
        const starts = new Map<string, string[]>();
        for (const e of events) {
          if (e.type !== 'task.started') continue;
          const k = `${e.task_id}#${e.attempt}`;
          starts.set(k, [...(starts.get(k) ?? []), e.worker]);
        }
        for (const [k, workers] of starts) {
          expect(
            workers.slice(0, -1).filter((w) => alive.has(w)),
            `${label}: ${k} ran again after a run by a worker that did not die (${workers.join(', ')})`,
          ).toEqual([]);
        }
      }
    },
    240_000,
  );
});

async function spawnCrashing(env: Record<string, string>): Promise<WorkerProcess> {
  return spawnWorker({
    REDIS_URL: testRedisUrl(),
    CHORDFLOW_PREFIX: cluster.config.keyPrefix,
    CHORDFLOW_LOCK_MS: '2000',
    CHORDFLOW_STALLED_MS: '1000',
    CHORDFLOW_TASKS_DIR: './tasks',
    ...env,
  });
}

/** What a kill must not change: the run's status, result and error, each task's state, result and error. */
function outcome(report: RunReport) {
  return {
    status: report.status,
    result: report.result,
    error: report.error,
    tasks: [...report.tasks]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((t) => ({ id: t.id, state: t.state, result: t.result, error: t.error })),
  };
}
