/**
 * `npm run bench:submit` — SPEC 4: "one 20,000-task submit leaves other runs' tasks executed once", and
 * the issue's bar: `/api/ping` p99 under 100 ms meanwhile.
 *
 * A private redis-server and `chordflow serve --no-web` (2 worker processes, the default lock 4 s /
 * stall check 2 s; set CHORDFLOW_LOCK_MS / CHORDFLOW_STALLED_MS to try others). 20 unrelated runs of `chain(slow_log, slow_log)` are in flight (each
 * execution is logged to a file, so a task run twice is counted), /api/ping is called every 20 ms, and
 * one 20,000-task group is POSTed. Two rounds, each figure beside its reference in the same run:
 *   - `inline` (reference): CHORDFLOW_INLINE_WORKERS=1 CHORDFLOW_SUBMIT_INLINE=1, the old design;
 *   - `isolated`: workers in child processes; the POST (from its bytes), and reads of the big run, on
 *     serve's run thread; the plan stored in slices.
 * Also printed: the longest any worker's event loop was held (`worker_loop_delay_max_ms`, from the
 * heartbeats: that loop renews job locks, CHORDFLOW_LOCK_MS) and the web process's peak RSS (Linux).
 * Prints JSON lines; exits 1 if the isolated round misses a bar.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { HEARTBEAT_MS } from '../../server/ops/heartbeat';
import { freePort, startPrivateRedis } from '../../tests/support/redisServer';
import { peakRssMb } from './processMemory';

const TASKS = Number(process.env.BIG_SUBMIT_TASKS ?? 20_000);
const UNRELATED = 20;
/** Extra node options for serve (its worker processes inherit them), e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`. */
const NODE_ARGS = (process.env.BIG_SUBMIT_NODE_ARGS ?? '').split(' ').filter(Boolean);

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(100);
  }
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Pings every 20 ms from a worker thread; `at` is absolute (timeOrigin + now), `ms` the latency. */
function startPinger(url: string): {
  stop(): Promise<{ pings: Array<{ at: number; ms: number }>; errors: number }>;
} {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const pings = [];
    let errors = 0;
    let on = true;
    parentPort.on('message', () => { on = false; });
    (async () => {
      while (on) {
        const t = performance.now();
        try {
          await fetch(workerData).then((r) => r.arrayBuffer());
          pings.push({ at: performance.timeOrigin + t, ms: performance.now() - t });
        } catch {
          // A keep-alive socket closed under us: counted, not fatal.
          errors++;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      parentPort.postMessage({ pings, errors });
    })();
  `;
  const worker = new Worker(code, { eval: true, workerData: url });
  const result = new Promise<{ pings: Array<{ at: number; ms: number }>; errors: number }>((resolve) =>
    worker.once('message', resolve),
  );
  return {
    async stop() {
      worker.postMessage('stop');
      const r = await result;
      await worker.terminate();
      return r;
    },
  };
}

async function round(
  name: 'inline' | 'isolated',
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const redis = await startPrivateRedis();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chordflow-bigsubmit-'));
  const logFile = join(dir, 'executions.log');
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [...NODE_ARGS, 'bin/chordflow.js', 'serve', '--no-web', '--port', String(port)],
    {
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        CHORDFLOW_PREFIX: '{big}',
        CHORDFLOW_WORKERS: '2',
        CHORDFLOW_WORKER_CONCURRENCY: '16',
        CHORDFLOW_LOCK_MS: process.env.CHORDFLOW_LOCK_MS ?? '4000',
        CHORDFLOW_STALLED_MS: process.env.CHORDFLOW_STALLED_MS ?? '2000',
        CHORDFLOW_TASKS_DIR: './tests/fixtures/ops-tasks',
        CHORDFLOW_MAX_TASKS: String(TASKS * 2),
        // ~52 bytes a task in the POSTed canvas (BIG_SUBMIT_TASKS=37000 is the reproduction).
        CHORDFLOW_BODY_LIMIT: String(Math.max(1024 * 1024, TASKS * 64)),
        MODEL_SERVICE_PORT: '0',
        SLOW_LOG_FILE: logFile,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await until('two live workers', 120_000, async () => {
      const h = (await (await fetch(`${base}/api/health`)).json()) as { workers: { count: number } };
      return h.workers.count >= 2 ? true : undefined;
    });
    const post = async (canvas: unknown) => {
      const r = await fetch(`${base}/api/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ canvas }),
      });
      const body = (await r.json()) as { id?: string; error?: string };
      if (r.status !== 201 || !body.id) throw new Error(`submit failed (${r.status}): ${body.error}`);
      return body.id;
    };
    const status = async (id: string) =>
      ((await (await fetch(`${base}/api/workflows/${id}`)).json()) as { status: string }).status;

    // Reference: ping latency with the unrelated runs only. The pinger runs on a thread of its own, so
    // this loop's work (posting 20,000 tasks, parsing the big run's status answers) never counts as the
    // server's latency.
    const pinger = startPinger(`${base}/api/ping`);
    const unrelated: string[] = [];
    for (let i = 0; i < UNRELATED; i++) {
      unrelated.push(
        await post({
          chain: [
            { task: 'slow_log', args: [`u${i}a`, 400], immutable: true },
            { task: 'slow_log', args: [`u${i}b`, 400], immutable: true },
          ],
        }),
      );
    }
    await sleep(1500);
    const bigStart = performance.now();
    const bigStartAt = performance.timeOrigin + bigStart;
    const canvas = { group: Array.from({ length: TASKS }, (_, i) => ({ task: 'add', args: [i, 1] })) };
    const big = await post(canvas);
    const submitMs = performance.now() - bigStart;
    // Unrelated runs submitted while the big one is being stored and run.
    for (let i = UNRELATED; i < 2 * UNRELATED; i++) {
      unrelated.push(
        await post({
          chain: [
            { task: 'slow_log', args: [`u${i}a`, 200], immutable: true },
            { task: 'slow_log', args: [`u${i}b`, 200], immutable: true },
          ],
        }),
      );
    }
    await until('the big run', 600_000, async () => ((await status(big)) === 'success' ? true : undefined));
    const bigMs = performance.now() - bigStart;
    await until('the unrelated runs', 120_000, async () => {
      const s = await Promise.all(unrelated.map(status));
      return s.every((x) => x === 'success' || x === 'error') ? s : undefined;
    });
    const { pings, errors: pingErrors } = await pinger.stop();
    const statuses = await Promise.all(unrelated.map(status));
    const webPeakMb = peakRssMb(child.pid);
    // The longest any worker's event loop (which renews its job locks) was held, from the heartbeats
    // (one more heartbeat first, so the end of the run is in it).
    await sleep(HEARTBEAT_MS + 500);
    const health = (await (await fetch(`${base}/api/health`)).json()) as {
      workers: { list: Array<{ loop_delay_max_ms?: number }> };
    };
    const loopMax = Math.max(0, ...health.workers.list.map((w) => w.loop_delay_max_ms ?? 0));
    const starts = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes(' start '))
      .map((l) => l.split(' ')[0] ?? '');
    const counts = new Map<string, number>();
    for (const tag of starts) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    const twiceTags = [...counts].filter(([, n]) => n > 1).map(([tag]) => tag);
    const twice = twiceTags.length;
    const before = pings
      .filter((p) => p.at < bigStartAt)
      .map((p) => p.ms)
      .sort((a, b) => a - b);
    const during = pings
      .filter((p) => p.at >= bigStartAt)
      .map((p) => p.ms)
      .sort((a, b) => a - b);
    return {
      bench: `submit.${name}`,
      tasks: TASKS,
      submit_ms: Math.round(submitMs),
      big_run_ms: Math.round(bigMs),
      unrelated_runs: unrelated.length,
      unrelated_succeeded: statuses.filter((s) => s === 'success').length,
      unrelated_tasks_expected: unrelated.length * 2,
      unrelated_tasks_executed: counts.size,
      unrelated_tasks_run_twice: twice,
      ...(twice > 0 ? { run_twice_sample: twiceTags.slice(0, 8) } : {}),
      ping_p50_ms_before: Number(pct(before, 50).toFixed(1)),
      ping_p99_ms_before: Number(pct(before, 99).toFixed(1)),
      ping_p50_ms_during: Number(pct(during, 50).toFixed(1)),
      ping_p99_ms_during: Number(pct(during, 99).toFixed(1)),
      ping_max_ms_during: Number((during[during.length - 1] ?? 0).toFixed(1)),
      ping_errors: pingErrors,
      worker_loop_delay_max_ms: loopMax,
      ...(webPeakMb !== undefined ? { web_rss_peak_mb: webPeakMb } : {}),
      loadavg_1m: Number(loadavg()[0]?.toFixed(2)),
    };
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const only = process.env.BIG_SUBMIT_ROUNDS?.split(',');
  let ok = true;
  if (!only || only.includes('inline')) {
    emit(await round('inline', { CHORDFLOW_INLINE_WORKERS: '1', CHORDFLOW_SUBMIT_INLINE: '1' }));
  }
  if (!only || only.includes('isolated')) {
    const r = await round('isolated', {});
    emit(r);
    ok =
      r.unrelated_tasks_run_twice === 0 &&
      r.unrelated_succeeded === r.unrelated_runs &&
      (r.ping_p99_ms_during as number) < 100;
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`bench:submit failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
