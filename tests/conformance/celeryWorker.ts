/**
 * A real Celery 5.2 worker (threads pool, concurrency 8) on a private redis-server, and the batch runner
 * that applies canvases to it (celery_app.py, runner.py in this folder).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Json } from '@/lib/canvas/model';
import { type PrivateRedis, startPrivateRedis } from '../support/redisServer';

/** The machine's Celery 5.2.6; `CHORDFLOW_CONFORMANCE_PYTHON` may name an interpreter with another Celery. */
const PYTHON = process.env.CHORDFLOW_CONFORMANCE_PYTHON ?? '/usr/bin/python3';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const CELERY_HELPERS = fileURLToPath(new URL('../celery/', import.meta.url));

/** One canvas for runner.py (see its docstring). */
export interface CeleryCase {
  name: string;
  canvas: Json;
  invoke: { args: Json[]; kwargs: Record<string, Json> };
  allow_header: boolean;
  ids: string[];
  timeout_s?: number;
}

export interface CeleryOutcome {
  state: string;
  value?: Json;
  error?: { type: string; message: string };
}

export type CeleryTop =
  | ({ kind: 'task'; id: string } & CeleryOutcome)
  | { kind: 'group'; items: CeleryTop[] }
  | { kind: 'none' };

export interface CeleryExecution {
  id: string;
  name: string;
  args: Json[];
  kwargs: Record<string, Json>;
  /** SUCCESS, FAILURE, RETRY, IGNORED (replaced); null after an internal error of the tracer. */
  state: string | null;
  value?: Json;
  error?: { type: string; message: string };
}

export interface CeleryRun {
  name: string;
  /** What `apply_async` raised in the caller (then nothing, or only part of a group, was sent). */
  apply_error?: { type: string; message: string } | null;
  settled: boolean;
  elapsed_s: number;
  states: Record<string, CeleryOutcome>;
  top: CeleryTop;
  observations: Json[];
  executions: CeleryExecution[];
  error?: string;
}

export interface CeleryWorker {
  run(cases: CeleryCase[]): Promise<CeleryRun[]>;
  stop(): Promise<void>;
}

function pythonEnv(redisUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CHORDFLOW_CONFORMANCE_REDIS: `${redisUrl}/0`,
    PYTHONPATH: `${HERE}:${CELERY_HELPERS}`,
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Starts a private redis-server and one Celery worker on it. */
export async function startCeleryWorker(): Promise<CeleryWorker> {
  const redis: PrivateRedis = await startPrivateRedis();
  const env = pythonEnv(redis.url);
  let log = '';
  const worker = spawn(
    PYTHON,
    [
      '-m',
      'celery',
      '-A',
      'celery_app',
      'worker',
      '--pool',
      'threads',
      '--concurrency',
      '8',
      '--loglevel',
      'warning',
      '--without-heartbeat',
      '--without-gossip',
      '--without-mingle',
      '--hostname',
      'conformance@%h',
    ],
    { cwd: HERE, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Keep the tail of the worker's log for error messages (tracebacks of failing tasks are expected).
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  worker.stdout?.on('data', keep);
  worker.stderr?.on('data', keep);

  return {
    async run(cases) {
      const runner = spawn(PYTHON, [`${HERE}runner.py`], { cwd: HERE, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      runner.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      runner.stderr.on('data', (c: Buffer) => {
        err += c.toString();
      });
      runner.stdin.end(JSON.stringify({ cases }));
      const code = await new Promise<number | null>((resolve) => runner.once('exit', resolve));
      if (code !== 0) {
        throw new Error(
          `The Celery runner failed (exit ${code}): ${err.slice(-4000)}\nWorker log:\n${log.slice(-4000)}`,
        );
      }
      return JSON.parse(out) as CeleryRun[];
    },
    async stop() {
      await stopChild(worker, 5000);
      await redis.stop();
    },
  };
}
