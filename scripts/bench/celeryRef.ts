/**
 * The Celery line of `bench:engine`: a real Celery 5 prefork worker (2 processes, `/usr/bin/python3 -m
 * celery`) on the bench's private Redis (its own database), running the same workloads as the cluster
 * (celery_bench.py). Skipped, with a line saying so, when python3-celery is not installed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface CeleryFigures {
  group_tasks_per_s: number;
  /** Best of `chordRounds` rounds (after the warm-up), as the cluster's side is reported. */
  chords_per_s: number;
  chords_median_per_s: number;
  chords_rounds_s: number[];
  chain_steps_per_s: number;
  /** Mean time per chain hop (task end → next task start and run), ms. */
  chain_ms_per_step: number;
  sizes: { group: number; chords: number; chain: number };
}

export function celeryInstalled(): boolean {
  return spawnSync(PYTHON, ['-c', 'import celery, redis'], { stdio: 'ignore' }).status === 0;
}

function env(url: string): NodeJS.ProcessEnv {
  return { ...process.env, CELERY_BENCH_REDIS: url, PYTHONPATH: HERE, PYTHONDONTWRITEBYTECODE: '1' };
}

/**
 * Starts the worker with its log in a file (a pipe would fill up while the driver runs, and block the
 * worker's logging), and waits for the line celery_bench.py prints when Celery says the worker is ready.
 */
async function startWorker(url: string): Promise<ChildProcess> {
  const log = join(mkdtempSync(join(tmpdir(), 'chordflow-celery-')), 'worker.log');
  const fd = openSync(log, 'w');
  const child = spawn(
    PYTHON,
    [
      '-m',
      'celery',
      '-A',
      'celery_bench',
      'worker',
      '--pool',
      'prefork',
      '-c',
      '2',
      '--without-gossip',
      '--without-mingle',
      '--without-heartbeat',
      // Celery's default log level, as our workers log at warn (no line per task on either side).
      '-l',
      'warning',
    ],
    { cwd: HERE, env: env(url), stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = readFileSync(log, 'utf8');
    if (text.includes('chordflow-bench: worker ready')) return child;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`celery worker did not start: ${text.slice(-400)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function drive(url: string, kind: string, n: number): number {
  const r = spawnSync(PYTHON, ['celery_bench.py', kind, String(n)], {
    cwd: HERE,
    env: env(url),
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`celery ${kind} failed: ${r.stderr.slice(-400)}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number }).seconds;
}

/**
 * A Celery worker kept up for the whole bench, so its rounds can be interleaved with the cluster's (a
 * shared machine's speed drifts within a minute; rounds taken side by side see the same machine).
 */
export interface CeleryReference {
  /** Seconds for `n` independent chords (celery_bench.py `chords`). */
  chords(n: number): number;
  /** Group, chain and the chords' figures; `chordRounds`: the chords' rounds taken so far (seconds). */
  figures(chordRounds: number[]): CeleryFigures;
  stop(): Promise<void>;
}

/**
 * Starts the worker on `redisUrl` (e.g. …/1, a database of its own) and warms it up (connections, pool
 * processes). Group and chain are measured by `figures`, the chords round by round through `chords`.
 */
export async function startCeleryReference(
  redisUrl: string,
  sizes = { group: 2000, chords: 300, chain: 200 },
): Promise<CeleryReference & { sizes: typeof sizes }> {
  const worker = await startWorker(redisUrl);
  // A bench that throws half-way must not leave a Celery worker behind.
  process.once('exit', () => worker.kill('SIGKILL'));
  drive(redisUrl, 'group', 50);
  return {
    sizes,
    chords: (n) => drive(redisUrl, 'chords', n),
    figures(rounds) {
      const g = drive(redisUrl, 'group', sizes.group);
      const s = drive(redisUrl, 'chain', sizes.chain);
      const c = Math.min(...rounds);
      const median = [...rounds].sort((a, b) => a - b)[Math.floor(rounds.length / 2)] ?? c;
      return {
        group_tasks_per_s: Math.round(sizes.group / g),
        chords_per_s: Math.round(sizes.chords / c),
        chords_median_per_s: Math.round(sizes.chords / median),
        chords_rounds_s: rounds.map((x) => Math.round(x * 1000) / 1000),
        chain_steps_per_s: Math.round(sizes.chain / s),
        chain_ms_per_step: Math.round((s / sizes.chain) * 1000 * 100) / 100,
        sizes,
      };
    },
    async stop() {
      if (worker.exitCode !== null) return;
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
