/**
 * The exported Python module runs for real: a Celery 5.2 worker (/usr/bin/python3, threads pool) on a
 * private redis-server executes the canvas, and the stored task states/results match `simulate()` of
 * the same file: the seed tutorial under `flaky` and `partial_fail` (against the mock model service),
 * a nested chord of built-ins (top-level result and `record` observations), and a per-node
 * `max_retries` and `autoretry_for` set with `.set()` (applied by the module's ChordflowTask; Celery
 * alone ignores them).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasFile, group, task } from '@/lib/canvas/build';
import { parseCanvasJson } from '@/lib/canvas/canvasJson';
import { createCatalogue } from '@/lib/canvas/catalogue';
import type { CanvasFile, CanvasNode, Json } from '@/lib/canvas/model';
import { toPythonModule } from '@/lib/canvas/pythonExport';
import type { TaskReport } from '@/lib/protocol/report';
import { withTutorialScenario } from '@/lib/sim/scenarios';
import { simulate } from '@/lib/sim/simulate';
import { type ModelService, startModelService } from '@/server/modelService/service';
import { type PrivateRedis, startPrivateRedis } from '../support/redisServer';

const PYTHON = '/usr/bin/python3';
const catalogue = createCatalogue();
const dir = mkdtempSync(join(tmpdir(), 'chordflow-pyrun-'));
let redis: PrivateRedis;
let model: ModelService;
const workers: ChildProcess[] = [];
const clients: Redis[] = [];

interface Meta {
  status: string;
  result: Json;
  retries?: number;
}

function example(name: string): CanvasFile {
  const r = parseCanvasJson(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.problems)}`);
  return r.value;
}

/** Gives the tutorial's tasks fixed ids (`<prefix>-A` …) so both runs can be compared task by task. */
function withIds(node: CanvasNode, prefix: string): CanvasNode {
  const sub = (n: CanvasNode) => withIds(n, prefix);
  switch (node.type) {
    case 'task':
      return { ...node, id: `${prefix}-${node.task.replace('TASK_', '')}` };
    case 'chain':
    case 'group':
      return { ...node, tasks: node.tasks.map(sub) };
    case 'chord':
      return { ...node, header: node.header.map(sub), body: sub(node.body) };
  }
}

function envFor(db: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CELERY_BROKER_URL: `${redis.url}/${db}`,
    CELERY_RESULT_BACKEND: `${redis.url}/${db}`,
    MODEL_SERVICE_URL: `${model.url}/v1/predict`,
    CHORDFLOW_OBSERVATIONS_KEY: 'chordflow:obs',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** Writes the module and starts a worker on it (broker/backend: redis db `db`); resolves when ready. */
async function startWorker(file: CanvasFile, module: string, db: number): Promise<void> {
  writeFileSync(join(dir, `${module}.py`), toPythonModule(file, catalogue, { name: module }));
  const child = spawn(
    PYTHON,
    ['-m', 'celery', '-A', module, 'worker', '--pool', 'threads', '--concurrency', '4', '-l', 'info'],
    { cwd: dir, env: { ...envFor(db), PYTHONPATH: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  workers.push(child);
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/celery@\S+ ready\./.test(log)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`The Celery worker for ${module} exited (${code}): ${log}`)));
  });
}

/** `python3 module.py --apply`: sends the canvas, returns its result id. */
function apply(module: string, db: number): string {
  const r = spawnSync(PYTHON, [`${module}.py`, '--apply'], { cwd: dir, env: envFor(db), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${module}.py --apply failed: ${r.stderr}`);
  return r.stdout.trim();
}

function client(db: number): Redis {
  const c = new Redis(`${redis.url}/${db}`);
  clients.push(c);
  return c;
}

/** Polls the result backend until every id has a final state (SUCCESS/FAILURE). */
async function waitFinal(db: Redis, ids: string[], timeoutMs = 40_000): Promise<Record<string, Meta>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const out: Record<string, Meta> = {};
    for (const id of ids) {
      const raw = await db.get(`celery-task-meta-${id}`);
      if (raw) out[id] = JSON.parse(raw) as Meta;
    }
    if (ids.every((id) => ['SUCCESS', 'FAILURE'].includes(out[id]?.status ?? ''))) return out;
    if (performance.now() > deadline) throw new Error(`Tasks not final in time: ${JSON.stringify(out)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The observations pushed to CHORDFLOW_OBSERVATIONS_KEY, once there are `count` of them. */
async function waitObservations(db: Redis, count: number, timeoutMs = 20_000): Promise<Json[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const raw = await db.lrange('chordflow:obs', 0, -1);
    if (raw.length >= count || performance.now() > deadline) return raw.map((x) => JSON.parse(x) as Json);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function simTask(tasks: TaskReport[], id: string): TaskReport {
  const t = tasks.find((x) => x.id === id);
  if (!t) throw new Error(`simulate() has no task ${id}`);
  return t;
}

/** The real run's view of one task, in the simulator's terms. */
function realView(meta: Meta) {
  if (meta.status === 'SUCCESS') return { state: 'SUCCESS', result: meta.result };
  const r = meta.result as { exc_type?: string };
  return { state: meta.status, error: r.exc_type };
}

function simView(t: TaskReport) {
  return t.state === 'SUCCESS'
    ? { state: 'SUCCESS', result: t.result }
    : { state: t.state, error: t.error?.type };
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  model = await startModelService({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null || w.signalCode !== null) return resolve();
          const hard = setTimeout(() => w.kill('SIGKILL'), 5000);
          w.once('exit', () => {
            clearTimeout(hard);
            resolve();
          });
          w.kill('SIGTERM');
        }),
    ),
  );
  for (const c of clients) c.disconnect();
  await model?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('exported Python module under a real Celery 5.2 worker', () => {
  it('runs the tutorial (flaky, partial_fail) like simulate(), and built-in canvases too', async () => {
    const tutorial = example('tutorial.json');
    const scenarios = ['flaky', 'partial_fail'] as const;
    const files = scenarios.map((s) => ({
      ...tutorial,
      canvas: withIds(withTutorialScenario(tutorial.canvas, s), s),
    }));
    const nested = example('nested-chord.json');
    const errbacks = example('errbacks.json');
    const override = canvasFile(
      group(
        task('autoflaky', [2, 'over'], { id: 'af-over', options: { max_retries: 1 } }),
        task('autoflaky', [2, 'plain'], { id: 'af-plain' }),
        task('fail', [], {
          id: 'fail-auto',
          options: { autoretry_for: ['ExpectedException'], max_retries: 1, default_retry_delay: 0.1 },
        }),
      ),
    );
    // One worker per module (own redis db); the tutorial worker serves both scenarios.
    await Promise.all([
      startWorker(files[0] as CanvasFile, 'tutorial_flaky', 1),
      startWorker(nested, 'nested_chord', 2),
      startWorker(override, 'retry_override', 3),
      startWorker(errbacks, 'errbacks', 4),
    ]);
    writeFileSync(
      join(dir, 'tutorial_partial_fail.py'),
      toPythonModule(files[1] as CanvasFile, catalogue, { name: 'partial' }),
    );
    apply('tutorial_flaky', 1);
    apply('tutorial_partial_fail', 1);
    const nestedId = apply('nested_chord', 2);
    apply('retry_override', 3);
    apply('errbacks', 4);

    // Tutorial: every task's state and value (or error type) and A's attempts, as simulated.
    const tdb = client(1);
    for (const [i, scenario] of scenarios.entries()) {
      const ids = ['A', 'B', 'C', 'D'].map((x) => `${scenario}-${x}`);
      const real = await waitFinal(tdb, ids);
      const sim = simulate(files[i] as CanvasFile, { catalogue, scenario });
      for (const id of ids) {
        expect({ id, ...realView(real[id] as Meta) }).toEqual({
          id,
          ...simView(simTask(sim.report.tasks, id)),
        });
      }
      expect((real[`${scenario}-A`]?.retries ?? 0) + 1).toBe(
        simTask(sim.report.tasks, `${scenario}-A`).attempts,
      );
    }
    // Seed facts (1.6) the comparison above covers, stated plainly.
    const flakyA = JSON.parse((await tdb.get('celery-task-meta-flaky-A')) ?? '{}') as Meta;
    expect(flakyA).toMatchObject({ status: 'SUCCESS', retries: 2, result: { retries_used: 2 } });
    const partialD = JSON.parse((await tdb.get('celery-task-meta-partial_fail-D')) ?? '{}') as Meta;
    expect(partialD).toMatchObject({ status: 'FAILURE', result: { exc_type: 'ChordError' } });
    expect(model.counts.get('task_b_partial_fail-B')).toBe(4);
    expect(model.counts.get('task_a_flaky-A')).toBe(3);

    // Nested chord of built-ins: the top-level result and the record observation.
    const ndb = client(2);
    const nestedReal = await waitFinal(ndb, [nestedId]);
    const nestedSim = simulate(nested, { catalogue });
    expect(nestedReal[nestedId]).toMatchObject({ status: 'SUCCESS', result: nestedSim.report.result });
    const obs = (await ndb.lrange('chordflow:obs', 0, -1)).map((x) => JSON.parse(x) as Json);
    expect(obs).toEqual(nestedSim.report.observations);

    // Per-node max_retries from .set(): 2 attempts instead of the class's 3.
    const odb = client(3);
    const ids = ['af-over', 'af-plain', 'fail-auto'];
    const real = await waitFinal(odb, ids);
    const sim = simulate(override, { catalogue });
    for (const id of ids) {
      const t = simTask(sim.report.tasks, id);
      expect({ id, ...realView(real[id] as Meta), attempts: (real[id]?.retries ?? 0) + 1 }).toEqual({
        id,
        ...simView(t),
        attempts: t.attempts,
      });
    }
    expect(real['af-over']).toMatchObject({ status: 'FAILURE', retries: 1 });
    expect(real['fail-auto']).toMatchObject({ status: 'FAILURE', retries: 1 });

    // Errbacks (old and new style, on a task and on the chain): the failure and the observations.
    const edb = client(4);
    const errSim = simulate(errbacks, { catalogue });
    const boom = await waitFinal(edb, ['boom']);
    expect(realView(boom.boom as Meta)).toEqual(simView(simTask(errSim.report.tasks, 'boom')));
    const errObs = await waitObservations(edb, errSim.report.observations.length);
    const sorted = (xs: Json[]) => xs.map((x) => JSON.stringify(x)).sort();
    // Errbacks run as separate messages on 4 threads: compare as a multiset.
    expect(sorted(errObs)).toEqual(sorted(errSim.report.observations));
  });
});
