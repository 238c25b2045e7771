/**
 * `npm run bench:reliability` — SPEC 4 reliability bar: SIGKILL of random workers, of the server, and of
 * Redis (with AOF) during runs → 100 % of runs *succeed*; no chord body is ever triggered twice (a body
 * re-executed because its own process died mid-run is at-least-once delivery, counted apart).
 *
 * Every round: a private redis-server (AOF on), RELIABILITY_RUNS runs (default 100) of
 * `chain(delayed 0.3 s, chord([delayed 0.9/0.6/0.3 s], slow_log(body-<i>, 0.8 s)), record(end))`.
 * `slow_log` (tests/fixtures/ops-tasks) appends "<tag> start <pid>" / "<tag> done <pid>" to a file, so
 * every execution of every chord body is counted and classified (reliabilityLog.ts). Rounds:
 *   workers       3 `chordflow worker` processes (concurrency 4), a random one SIGKILLed every 0.4–1 s
 *                 and replaced;
 *   server        `chordflow serve --no-web` (2 supervised worker processes) SIGKILLed 3 times, restarted;
 *   redis-restart Redis stopped and started again (same port and data) twice mid-run;
 *   redis-kill    Redis SIGKILLed and restarted from its AOF twice mid-run.
 * Prints one JSON line per round; exits 1 when any round misses the bar.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Stack, startStack } from '../../server/cluster/stack';
import { loadConfig } from '../../server/config';
import { freePort, type PrivateRedis, startPrivateRedis } from '../../tests/support/redisServer';
import { spawnWorker, type WorkerProcess } from '../../tests/support/workerProcess';
import { classifyBodies, type Outage } from './reliabilityLog';

const RUNS = Number(process.env.RELIABILITY_RUNS ?? 100);
const ROUNDS = (process.env.RELIABILITY_ROUNDS ?? 'workers,server,redis-restart,redis-kill').split(',');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const canvas = (i: number) => ({
  chain: [
    { task: 'delayed', args: [1], kwargs: { ms: 300 }, immutable: true },
    {
      chord: {
        header: [
          { task: 'delayed', kwargs: { ms: 900 } },
          { task: 'delayed', kwargs: { ms: 600 } },
          { task: 'delayed', kwargs: { ms: 300 } },
        ],
        body: { task: 'slow_log', args: [`body-${i}`, 800], immutable: true },
      },
    },
    { task: 'record', kwargs: { tag: 'end' } },
  ],
});

interface Env {
  redis: PrivateRedis;
  dir: string;
  logFile: string;
  env: Record<string, string>;
  stack: Stack;
}

async function setup(prefix: string): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'chordflow-chaos-'));
  const redis = await startPrivateRedis({ appendonly: true, dir, port: await freePort() });
  const logFile = join(dir, 'bodies.log');
  const env = {
    REDIS_URL: redis.url,
    CHORDFLOW_PREFIX: prefix,
    // The product's defaults: shorter locks make false stalls (and re-executions) under CPU contention.
    CHORDFLOW_LOCK_MS: '4000',
    CHORDFLOW_STALLED_MS: '2000',
    // Few slots, so the runs queue up and the chaos spans the whole batch (dozens of kills).
    CHORDFLOW_WORKER_CONCURRENCY: '4',
    CHORDFLOW_TASKS_DIR: './tests/fixtures/ops-tasks',
    CHORDFLOW_SHUTDOWN_MS: '5000',
    SLOW_LOG_FILE: logFile,
  };
  const config = { ...loadConfig({ ...process.env, ...env }), modelServicePort: 0 };
  const stack = await startStack({ config, startLocalRedis: false, startModelService: false, workers: 0 });
  return { redis, dir, logFile, env, stack };
}

/** Submits the runs, lets `chaos` loose until they all finish (statuses polled; Redis may be away). */
async function play(
  e: Env,
  chaos: (done: () => boolean) => Promise<number>,
): Promise<Record<string, unknown>> {
  const client = e.stack.client;
  if (!client) throw new Error('no Redis');
  const ids: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const rec = await client.submit({ file: client.parseCanvas(canvas(i)), name: `chaos-${i}` });
    ids.push(rec.id);
  }
  const started = Date.now();
  let finished = false;
  const chaosDone = chaos(() => finished);
  const statuses = new Map<string, string>();
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    try {
      for (const id of ids) {
        if (statuses.has(id)) continue;
        const s = await client.store.getStatus(id);
        if (s === 'success' || s === 'error' || s === 'canceled') statuses.set(id, s);
      }
    } catch {
      // Redis away (a chaos round): try again.
    }
    if (statuses.size === ids.length) break;
    await sleep(250);
  }
  finished = true;
  const kills = await chaosDone;
  return {
    runs: RUNS,
    kills,
    seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
    finished: statuses.size,
    succeeded: [...statuses.values()].filter((s) => s === 'success').length,
  };
}

async function teardown(e: Env): Promise<void> {
  await e.stack.close(0);
  await e.redis.stop();
  rmSync(e.dir, { recursive: true, force: true });
}

async function workersRound(): Promise<Record<string, unknown>> {
  const e = await setup('{chaosw}');
  const killed = new Set<number>();
  const workers: WorkerProcess[] = await Promise.all([0, 1, 2].map(() => spawnWorker(e.env)));
  try {
    const r = await play(e, async (done) => {
      let kills = 0;
      while (!done()) {
        await sleep(400 + Math.random() * 600);
        if (done()) break;
        const victim = Math.floor(Math.random() * workers.length);
        const w = workers[victim];
        if (!w) continue;
        killed.add(w.pid);
        await w.kill('SIGKILL');
        kills++;
        workers[victim] = await spawnWorker(e.env);
      }
      return kills;
    });
    return { ...r, bodies: classifyBodies(e.logFile, tags(), killed) };
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await teardown(e);
  }
}

async function startServe(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/chordflow.js', 'serve', '--no-web', '--port', String(port)], {
    env: { ...process.env, ...env, CHORDFLOW_WORKERS: '2', MODEL_SERVICE_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Chordflow is up')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
  });
  child.stdout?.resume();
  return child;
}

async function serverRound(): Promise<Record<string, unknown>> {
  const e = await setup('{chaoss}');
  const port = await freePort();
  let serve = await startServe(e.env, port);
  try {
    const r = await play(e, async (done) => {
      let kills = 0;
      for (let k = 0; k < 3 && !done(); k++) {
        await sleep(2000 + Math.random() * 2000);
        const gone = new Promise((res) => serve.once('exit', res));
        serve.kill('SIGKILL');
        await gone;
        kills++;
        serve = await startServe(e.env, port);
      }
      return kills;
    });
    // serve's worker processes drain (never SIGKILLed): every body must have run exactly once.
    return { ...r, bodies: classifyBodies(e.logFile, tags(), new Set()) };
  } finally {
    const gone = new Promise((res) => serve.once('exit', res));
    serve.kill('SIGTERM');
    await gone;
    await teardown(e);
  }
}

async function redisRound(kind: 'restart' | 'kill'): Promise<Record<string, unknown>> {
  const e = await setup(kind === 'kill' ? '{chaosk}' : '{chaosr}');
  const workers: WorkerProcess[] = await Promise.all([0, 1, 2].map(() => spawnWorker(e.env)));
  const outages: Outage[] = [];
  try {
    const r = await play(e, async (done) => {
      let kills = 0;
      for (let k = 0; k < 2 && !done(); k++) {
        await sleep(1500 + Math.random() * 1500);
        const down = Date.now();
        if (kind === 'kill') await e.redis.kill();
        else await e.redis.stop();
        kills++;
        await sleep(1000);
        e.redis = await startPrivateRedis({ appendonly: true, dir: e.dir, port: e.redis.port });
        // A lock that expired meanwhile is noticed within lock + 2 stall checks of Redis coming back
        // (plus slack for a loaded machine).
        outages.push([down, Date.now() + 4000 + 2 * 2000 + 4000]);
      }
      return kills;
    });
    return { ...r, bodies: classifyBodies(e.logFile, tags(), new Set(), outages) };
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await teardown(e);
  }
}

function tags(): string[] {
  return Array.from({ length: RUNS }, (_, i) => `body-${i}`);
}

async function main(): Promise<void> {
  let ok = true;
  const rounds: Record<string, () => Promise<Record<string, unknown>>> = {
    workers: workersRound,
    server: serverRound,
    'redis-restart': () => redisRound('restart'),
    'redis-kill': () => redisRound('kill'),
  };
  for (const name of ROUNDS) {
    const round = rounds[name];
    if (!round) throw new Error(`unknown round ${name}`);
    const r = await round();
    const bodies = r.bodies as ReturnType<typeof classifyBodies>;
    const pass = r.succeeded === RUNS && bodies.doubleTriggered === 0;
    ok &&= pass;
    emit({
      bench: `reliability.${name}`,
      ...r,
      succeeded_pct: (100 * (r.succeeded as number)) / RUNS,
      chord_body_double_triggers: bodies.doubleTriggered,
      pass,
      loadavg_1m: Number(loadavg()[0]?.toFixed(2)),
    });
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`bench:reliability failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
