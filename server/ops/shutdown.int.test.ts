/**
 * Bounded shutdown with real processes: `chordflow worker` children, a private redis-server per test
 * (stopped in the middle when the test needs Redis gone), tasks that hang or take their time.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type PrivateRedis, startPrivateRedis } from '../../tests/support/redisServer';
import { spawnWorker, type WorkerProcess } from '../../tests/support/workerProcess';
import type { Stack } from '../cluster/stack';
import { startStack } from '../cluster/stack';
import { loadConfig } from '../config';

const TASKS = './tests/fixtures/ops-tasks';
const BIN = fileURLToPath(new URL('../../bin/chordflow.js', import.meta.url));

interface Setup {
  redis: PrivateRedis;
  stack: Stack;
  env: Record<string, string>;
  workers: WorkerProcess[];
}

let current: Setup | undefined;

async function setup(shutdownMs: number, extraEnv: Record<string, string> = {}): Promise<Setup> {
  const redis = await startPrivateRedis();
  const env = {
    REDIS_URL: redis.url,
    CHORDFLOW_PREFIX: '{shut}',
    CHORDFLOW_LOCK_MS: '1500',
    CHORDFLOW_STALLED_MS: '1000',
    CHORDFLOW_TASKS_DIR: TASKS,
    CHORDFLOW_SHUTDOWN_MS: String(shutdownMs),
    ...extraEnv,
  };
  const config = { ...loadConfig({ ...process.env, ...env }), modelServicePort: 0 };
  const stack = await startStack({ config, startLocalRedis: false, startModelService: false, workers: 0 });
  current = { redis, stack, env, workers: [] };
  return current;
}

afterEach(async () => {
  if (!current) return;
  await Promise.all(current.workers.map((w) => w.kill('SIGKILL')));
  await current.stack.close(0);
  await current.redis.stop();
  current = undefined;
});

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function exited(w: WorkerProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (w.child.exitCode !== null || w.child.signalCode !== null)
    return Promise.resolve({ code: w.child.exitCode, signal: w.child.signalCode });
  return new Promise((resolve) => w.child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function startedBy(s: Setup, runId: string): Promise<string[]> {
  const events = await s.stack.client?.store.readEvents(runId);
  return (events ?? []).flatMap((e) => (e.type === 'task.started' ? [e.worker] : []));
}

describe('bounded shutdown (SIGTERM / SIGINT)', () => {
  it('lets a running task finish within CHORDFLOW_SHUTDOWN_MS, then exits 0', async () => {
    const log = join(tmpdir(), `slow-log-${process.pid}-${Date.now()}`);
    const s = await setup(30_000, { SLOW_LOG_FILE: log });
    const w = await spawnWorker(s.env);
    s.workers.push(w);
    const client = s.stack.client!;
    const run = await client.submit({ file: client.parseCanvas({ task: 'slow_log', args: ['t', 1500] }) });
    await until('the task to start', async () =>
      (await startedBy(s, run.id)).length > 0 ? true : undefined,
    );
    const exit = exited(w);
    w.child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null });
    // The task finished on the stopping worker (not abandoned); the next worker only releases the run.
    const types = (await client.store.readEvents(run.id)).map((e) => e.type);
    expect(types).toContain('task.succeeded');
    s.workers.push(await spawnWorker(s.env));
    await until('the run to finish', async () =>
      (await client.store.getStatus(run.id)) === 'success' ? true : undefined,
    );
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      `t start ${w.pid}`,
      `t done ${w.pid}`,
    ]);
    rmSync(log, { force: true });
  });

  it('exits after the deadline when a task never returns; the task is redelivered', async () => {
    const s = await setup(500);
    const w = await spawnWorker(s.env);
    s.workers.push(w);
    const client = s.stack.client!;
    const run = await client.submit({ file: client.parseCanvas({ task: 'hang' }) });
    await until('the task to start', async () =>
      (await startedBy(s, run.id)).length > 0 ? true : undefined,
    );
    const exit = exited(w);
    w.child.kill('SIGTERM');
    // The drain gave up at the deadline and the worker closed its connections: an orderly exit.
    expect(await exit).toEqual({ code: 0, signal: null });
    const second = await spawnWorker(s.env);
    s.workers.push(second);
    const workers = await until('the redelivery', async () => {
      const names = await startedBy(s, run.id);
      return names.length > 1 ? names : undefined;
    });
    expect(workers).toEqual([w.name, second.name]);
  });

  it('exits when Redis is gone too', async () => {
    const s = await setup(500);
    const w = await spawnWorker(s.env);
    s.workers.push(w);
    const client = s.stack.client!;
    const run = await client.submit({ file: client.parseCanvas({ task: 'hang' }) });
    await until('the task to start', async () =>
      (await startedBy(s, run.id)).length > 0 ? true : undefined,
    );
    await s.redis.kill();
    const exit = exited(w);
    w.child.kill('SIGTERM');
    const { code } = await exit;
    expect([0, 1]).toContain(code);
  });

  it('serve says in its last line that a task still running at the deadline will be redelivered', async () => {
    const s = await setup(1000);
    const port = await freePort();
    const serve = spawn(process.execPath, [BIN, 'serve', '--no-web', '--port', String(port)], {
      env: { ...process.env, ...s.env, LOG_LEVEL: 'info', MODEL_SERVICE_PORT: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    serve.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const gone = new Promise<number | null>((resolve) => serve.once('exit', (code) => resolve(code)));
    try {
      const client = s.stack.client!;
      const run = await client.submit({ file: client.parseCanvas({ task: 'hang' }) });
      await until('the task to start', async () =>
        (await startedBy(s, run.id)).length > 0 ? true : undefined,
      );
      serve.kill('SIGTERM');
      expect(await gone).toBe(0);
      const last = err.trim().split('\n').at(-1) ?? '';
      expect(JSON.parse(last).msg).toBe(
        'stopped: 1 worker process still had tasks running at the shutdown deadline; they will be redelivered',
      );
    } finally {
      if (serve.exitCode === null) serve.kill('SIGKILL');
    }
  });

  it('a second signal exits at once (code 130) even with a long shutdown allowance', async () => {
    const s = await setup(600_000);
    const w = await spawnWorker(s.env);
    s.workers.push(w);
    const client = s.stack.client!;
    const run = await client.submit({ file: client.parseCanvas({ task: 'hang' }) });
    await until('the task to start', async () =>
      (await startedBy(s, run.id)).length > 0 ? true : undefined,
    );
    const exit = exited(w);
    w.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    w.child.kill('SIGINT');
    expect(await exit).toEqual({ code: 130, signal: null });
  });
});
