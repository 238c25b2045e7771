/**
 * `chordflow run FILE --celery … --wait --json` against a real Celery 5.2 worker (threads pool, -E) prints
 * the run report `simulate` predicts for the same canvas — the tutorial's five scenarios against the mock
 * model service, and canvases from the Celery rules (chains, groups, chords, ChordError, errbacks,
 * retries). Timings are compared as Celery's rules, not speeds: attempts in order, each retry not before
 * its countdown. One worker serves every case; runs go concurrently.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasFile, chain, chord, group, task } from '@/lib/canvas/build';
import { parseCanvasJson, toCanvasJson } from '@/lib/canvas/canvasJson';
import type { CanvasFile, Json } from '@/lib/canvas/model';
import type { RunReport, TaskReport } from '@/lib/protocol/report';
import { simulate } from '@/lib/sim/simulate';
import { main } from '@/server/cli/main';
import { catalogue } from './sends';
import { type CeleryTestCluster, OBSERVATIONS_KEY, startCeleryTestCluster } from './worker';

let cluster: CeleryTestCluster;
beforeAll(async () => {
  cluster = await startCeleryTestCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const SCENARIOS = ['happy', 'flaky', 'slow', 'down', 'partial_fail'] as const;

function example(name: string): CanvasFile {
  const r = parseCanvasJson(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${name} does not parse`);
  return r.value;
}

/** `chordflow run <file> --celery … --wait --json [extra]`, in process; the report and stderr. */
async function runOnCelery(
  file: CanvasFile | string,
  extra: string[] = [],
  on: { broker: string; backend: string } = cluster,
): Promise<{ code: number; report: RunReport; err: string }> {
  let out = '';
  let err = '';
  const path = typeof file === 'string' ? file : 'canvas.json';
  const text = typeof file === 'string' ? '' : JSON.stringify(toCanvasJson(file));
  const io = {
    out: (s: string) => {
      out += s;
    },
    err: (s: string) => {
      err += s;
    },
    readFile: async (p: string) => (typeof file === 'string' ? readFileSync(p, 'utf8') : text),
  };
  const args = [
    'run',
    path,
    '--celery',
    on.broker,
    '--celery-backend',
    on.backend,
    '--wait',
    '--json',
    '--timeout',
    '120',
  ];
  const code = await main([...args, ...extra], io);
  if (!out.trim())
    throw new Error(`no report (exit ${code}): ${err}\nworker log:\n${cluster.log().slice(-3000)}`);
  return { code, report: JSON.parse(out) as RunReport, err };
}

/** The report without what differs by nature: run id, times, worker names, tracebacks, model-service URL. */
function comparable(report: RunReport): Json {
  const clean = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => clean(x));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (['run_id', 'started_at', 'finished_at', 'worker', 'traceback', 'makespan_ms'].includes(k))
          continue;
        out[k] = clean(x, k);
      }
      return out;
    }
    if (typeof v === 'string' && key !== 'id')
      return v
        .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://model-service:9000')
        .replace(/host='127\.0\.0\.1', port=\d+/g, "host='model-service', port=9000");
    return v;
  };
  const r = clean(report) as { observations: Json[] };
  // Errbacks and groups run on several threads: observations as a multiset.
  r.observations = r.observations.map((o) => JSON.stringify(o)).sort();
  return r as Json;
}

/** Celery's timing rules on a real report: attempts in order, a retry not before its countdown. */
function timingViolations(name: string, tasks: TaskReport[]): string[] {
  const out: string[] = [];
  for (const t of tasks) {
    t.history.forEach((h, i) => {
      const prev = t.history[i - 1];
      // ETA is honoured to Celery's timer resolution (a few ms either way between the clocks).
      const earliest = prev ? prev.finished_at + (prev.countdown_ms ?? 0) - 50 : 0;
      if (h.finished_at < h.started_at || h.started_at < earliest)
        out.push(`${name} ${t.id}: ${JSON.stringify(t.history)}`);
    });
  }
  return out;
}

function tutorialFile(): CanvasFile {
  return example('tutorial.json');
}

describe('chordflow run --celery on a real Celery 5.2 worker', () => {
  it('prints the report simulate predicts, for the five tutorial scenarios and the Celery rules', async () => {
    const rules: Array<{ name: string; file: CanvasFile }> = [
      { name: 'chain', file: canvasFile(chain(task('add', [1, 2]), task('add', [3]), task('mul', [10]))) },
      {
        name: 'group',
        file: canvasFile(group(task('add', [1, 2]), task('add', [3, 4]), task('identity', ['x']))),
      },
      { name: 'chord', file: canvasFile(chord([task('add', [1, 2]), task('add', [3, 4])], task('tsum'))) },
      {
        name: 'chord-failure',
        file: canvasFile(chord([task('add', [1, 2]), task('fail', [1]), task('fail', [2])], task('tsum'))),
      },
      {
        name: 'chain-chord-chain-body',
        file: canvasFile(
          chain(
            task('add', [1, 2]),
            group(task('add', [10]), task('add', [20])),
            task('tsum'),
            task('mul', [2]),
          ),
        ),
      },
      {
        name: 'chain-failure',
        file: canvasFile(chain(task('add', [1, 1]), task('fail', [2]), task('add', [1]), task('mul', [3]))),
      },
      {
        name: 'retries',
        file: canvasFile(
          group(task('flaky', [2, 'ok']), task('autoflaky', [1, 'auto']), task('autoflaky', [5, 'gives up'])),
        ),
      },
    ];
    const tutorial = tutorialFile();
    const tutorialRuns = SCENARIOS.map(async (scenario) => {
      const payload = JSON.stringify({ raw: 'hello world', scenario });
      const real = await runOnCelery('examples/tutorial.json', ['--payload', payload]);
      const sim = simulate(tutorial, { catalogue, scenario });
      return { name: scenario, real, sim: sim.report };
    });
    const ruleRuns = rules.map(async ({ name, file }) => ({
      name,
      real: await runOnCelery(file),
      sim: simulate(file, { catalogue }).report,
    }));
    // A worker without -E: followed from the result backend alone, same report, and it says so.
    const quietRun = (async () => {
      const payload = JSON.stringify({ raw: 'hello world', scenario: 'partial_fail' });
      const real = await runOnCelery('examples/tutorial.json', ['--payload', payload], cluster.quiet);
      expect(real.err).toMatch(/No Celery task events seen: start the workers with -E/);
      return {
        name: 'no-events partial_fail',
        real,
        sim: simulate(tutorial, { catalogue, scenario: 'partial_fail' }).report,
      };
    })();
    const results = await Promise.all([...tutorialRuns, ...ruleRuns, quietRun]);
    // Canvases whose tasks write observations run one at a time (one observations list per worker).
    const observing: Array<{ name: string; file: CanvasFile }> = [
      { name: 'errbacks.json', file: example('errbacks.json') },
      {
        name: 'chord-of-chains',
        file: canvasFile(
          chord(
            [
              chain(task('add', [1, 1]), task('mul', [10])),
              task('add', [2, 2]),
              task('delayed', [3], { kwargs: { ms: 50 } }),
            ],
            chain(task('tsum'), task('add', [100]), task('record', [], { kwargs: { tag: 'total' } })),
          ),
        ),
      },
    ];
    for (const { name, file } of observing) {
      const real = await runOnCelery(file, ['--celery-observations', OBSERVATIONS_KEY]);
      results.push({ name, real, sim: simulate(file, { catalogue }).report });
    }
    const violations: string[] = [];
    for (const r of results) {
      expect({ name: r.name, ...(comparable(r.real.report) as object) }).toEqual({
        name: r.name,
        ...(comparable(r.sim) as object),
      });
      expect(r.real.code).toBe(r.sim.status === 'success' ? 0 : 1);
      // Without events the times are when Chordflow saw the records: the rules need the workers' clocks.
      if (!r.name.startsWith('no-events')) violations.push(...timingViolations(r.name, r.real.report.tasks));
    }
    expect(violations).toEqual([]);
    // The seed's outcome table, stated plainly (SPEC 1.3): A's attempts per scenario on real Celery.
    const attemptsOfA = Object.fromEntries(
      results
        .filter((r) => (SCENARIOS as readonly string[]).includes(r.name))
        .map((r) => [r.name, r.real.report.tasks[0]?.attempts]),
    );
    expect(attemptsOfA).toEqual({ happy: 1, flaky: 3, slow: 4, down: 4, partial_fail: 1 });
  }, 180_000);
});

describe('the server with a Celery target (CHORDFLOW_CELERY_BROKER)', () => {
  it('runs a canvas on Celery from POST /api/workflows, lists the app tasks, cancels with revoke', async () => {
    const { startTestCluster } = await import('../support/cluster');
    const { inspectRegistered } = await import('@/server/celery/tasks');
    const { broadcastWithReply } = await import('@/server/celery/control');
    const { celeryRedis } = await import('@/server/celery/connection');
    const server = await startTestCluster({
      api: true,
      workers: 0,
      celery: { target: { brokerUrl: cluster.broker, backendUrl: cluster.backend, queue: 'celery' } },
    });
    const broker = celeryRedis(cluster.broker);
    try {
      const base = server.api?.url ?? '';
      const post = async (path: string, body?: unknown) =>
        fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body ?? {}),
        });
      const waitStatus = async (id: string, done: string[]) => {
        for (;;) {
          const w = (await (await fetch(`${base}/api/workflows/${id}`)).json()) as { status: string };
          if (done.includes(w.status)) return w;
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      const health = (await (await fetch(`${base}/api/health`)).json()) as { celery?: { queue: string } };
      expect(health.celery?.queue).toBe('celery');

      // The tutorial, flaky, on Celery through the API: stored like any run, same report as simulated.
      const tutorial = example('tutorial.json');
      const payload = { raw: 'hello world', scenario: 'flaky' };
      const { injectPayload } = await import('@/server/runs/definitions');
      const canvas = injectPayload(toCanvasJson(tutorial) as Json, payload, catalogue);
      const created = await post('/api/workflows', { canvas, payload, target: 'celery' });
      expect(created.status).toBe(201);
      const run = (await created.json()) as { id: string; target?: string };
      expect(run.target).toBe('celery');
      await waitStatus(run.id, ['success', 'error', 'canceled']);
      const report = (await (await fetch(`${base}/api/workflows/${run.id}/report`)).json()) as RunReport;
      const { withTutorialScenario } = await import('@/lib/sim/scenarios');
      const sim = simulate(
        { ...tutorial, canvas: withTutorialScenario(tutorial.canvas, 'flaky') },
        { catalogue },
      );
      expect(comparable(report)).toEqual(comparable(sim.report));

      // The app's registered tasks, as `celery inspect registered` lists them.
      const names = (await inspectRegistered(broker, cluster.broker)).map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(['TASK_A', 'TASK_D', 'add', 'record']));

      // Cancel: a task waiting for its ETA is revoked on the worker (it drops it) and the run ends canceled.
      const later = canvasFile(task('add', [1, 2], { id: 'later', options: { apply_countdown: 60 } }));
      const sent = (await (
        await post('/api/workflows', { canvas: toCanvasJson(later), target: 'celery' })
      ).json()) as {
        id: string;
      };
      const celeryId = async () => {
        for (;;) {
          const ids = await broker.smembers('_kombu.binding.celery');
          if (ids.length > 0) break;
        }
        return `${sent.id}.t.later`;
      };
      const id = await celeryId();
      expect((await post(`/api/workflows/${sent.id}/cancel`)).status).toBe(201);
      const canceled = await waitStatus(sent.id, ['canceled', 'success', 'error']);
      expect(canceled.status).toBe('canceled');
      const revoked = await broadcastWithReply(broker, cluster.broker, 'revoked', {}, 1000);
      expect(Object.values(revoked).flat()).toContain(id);
      const rep = (await (await fetch(`${base}/api/workflows/${sent.id}/report`)).json()) as RunReport;
      expect(rep.tasks.map((t) => [t.id, t.state])).toEqual([['later', 'REVOKED']]);
      // Without a Celery target the API says how to get one.
      const plain = await startTestCluster({ api: true, workers: 0 });
      try {
        const r = await fetch(`${plain.api?.url}/api/workflows`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ canvas: toCanvasJson(later), target: 'celery' }),
        });
        expect(r.status).toBe(400);
        expect(((await r.json()) as { error?: string }).error ?? '').toMatch(/CHORDFLOW_CELERY_BROKER/);
      } finally {
        await plain.close();
      }
    } finally {
      broker.disconnect();
      await server.close();
    }
  }, 120_000);
});
