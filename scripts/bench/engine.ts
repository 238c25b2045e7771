/**
 * Engine throughput (SPEC 4), one run, same machine, same private redis-server, JSON lines:
 *  - raw BullMQ: 10,000 no-op jobs (addBulk + one worker) → jobs/s (references in ./rawBullmq.ts);
 *  - our cluster: a 10,000-task group of `identity` tasks → jobs/s and the ratio to raw (bar ≥ 0.7);
 *  - small chords (2 header tasks + body) in one run and as independent runs → chords/s, with the
 *    ratio to raw BullMQ's chords (a flow per chord, added in one bulk) in the same run;
 *  - a 5,000-member chord → tasks/s;
 *  - a 1,000-step chain → steps/s and hop latency p50/p99 (a step's end → the next step's start);
 *  - Redis commands, Lua script calls and bytes per task, for raw BullMQ and for our group;
 *  - Celery 5 (prefork, 2 processes, same private Redis) on a group, independent small chords and a
 *    chain, when python3-celery is installed, and our ratios to it (bars: chords and chain ≥ 10×); its
 *    independent-chords rounds are taken between ours, pair by pair, and each pair's ratio is listed.
 * Every line carries the 1-minute load average: the machine is shared, compare ratios within one run.
 * Usage: npm run bench:engine [-- --concurrency 300] [--procs 1] [--rounds 3] [--cases group,chords,runs,chain]
 * [--runs 1000] [--runs-rounds 3] [--runs-warmup 2] (independent runs: per round, rounds, warm-up rounds)
 * `--procs N`: both sides with N worker *processes* (raw BullMQ's, or `chordflow worker`s), same
 * concurrency each. `--no-bundle`: small headers never bundled (bundle.ts), for A/B.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { ClusterClient } from '../../server/cluster/client';
import { startClusterWorker } from '../../server/cluster/worker';
import { workerV8Options } from '../../server/cluster/workerProcesses';
import { runReport } from '../../server/runs/report';
import { loadTaskRegistry } from '../../server/tasks/registry';
import { startPrivateRedis } from '../../tests/support/redisServer';
import { celeryRatios, type OurFigures } from './celeryRatios';
import { type CeleryReference, celeryInstalled, startCeleryReference } from './celeryRef';
import { type CpuSample, engineProbes } from './engineProbes';
import { hopLatency } from './hopLatency';
import {
  type RawOptions,
  rawBullmq,
  rawBullmqChords,
  rawBullmqFlow,
  startChild,
  stopChildren,
} from './rawBullmq';
import { measureRedisCost, type RedisCost } from './redisCost';

// The in-process worker runs with the V8 options `serve` gives its worker processes (a larger young
// generation, workerProcesses.ts); the raw BullMQ references share this process and the same options.
const missingV8 = workerV8Options(process.execArgv, process.env.NODE_OPTIONS);
if (missingV8.length > 0) {
  const again = spawnSync(process.execPath, [...process.execArgv, ...missingV8, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(again.status ?? 1);
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const CONCURRENCY = arg('--concurrency', 300);
const PROCS = arg('--procs', 0);
/** Rounds of the raw/group comparison, interleaved; the best of each is reported (the machine is shared). */
const ROUNDS = arg('--rounds', 3);
const N = 10_000;
const CASES = new Set(
  (process.argv.includes('--cases')
    ? (process.argv[process.argv.indexOf('--cases') + 1] ?? '')
    : 'group,chords,runs,chord5000,chain,celery'
  ).split(','),
);
function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'engine', ...record, load_avg_1m: loadavg()[0] })}\n`);
}

const redis = await startPrivateRedis();
const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
const rawOpts: RawOptions = { conn, url: redis.url, concurrency: CONCURRENCY, procs: PROCS, n: N };

const registry = await loadTaskRegistry(undefined);
const prefix = '{chordflow}';
// The client has its own connection, as in `chordflow serve` (the raw cases load BullMQ's scripts on `conn`).
const clientConn = new Redis(redis.url, { maxRetriesPerRequest: null });
const bundle = process.argv.includes('--no-bundle') ? { bundleBacklog: Number.POSITIVE_INFINITY } : {};
const client = new ClusterClient(clientConn, prefix, registry.catalogue, bundle);
const worker =
  PROCS > 0
    ? undefined
    : await startClusterWorker({
        redisUrl: redis.url,
        prefix,
        registry,
        concurrency: CONCURRENCY,
        ...bundle,
        // `--no-inline`: every message its own job (the behaviour before barrier/body and chain fusion).
        ...(process.argv.includes('--no-inline') ? { inlineBodies: false, maxInlineSteps: 0 } : {}),
      });
const clusterChildren =
  PROCS > 0
    ? await Promise.all(
        Array.from({ length: PROCS }, () =>
          startChild(
            ['bin/chordflow.js', 'worker', '--concurrency', String(CONCURRENCY)],
            {
              REDIS_URL: redis.url,
              CHORDFLOW_PREFIX: prefix,
              LOG_LEVEL: 'warn',
              CHORDFLOW_TASKS_DIR: '/nonexistent',
              ...(bundle.bundleBacklog === undefined ? {} : { CHORDFLOW_BUNDLE_BACKLOG: 'off' }),
            },
            'is ready',
          ),
        ),
      )
    : [];

const { withCpu, waitAllFinished, cleaned } = engineProbes(conn, (id) => client.store.keys.run(id), prefix);

async function timeRun(canvas: unknown): Promise<number> {
  const t0 = performance.now();
  const run = await client.submit({ file: client.parseCanvas(canvas) });
  const done = await client.waitFinished(run.id, 600_000);
  if (done?.status !== 'success') throw new Error(`bench run ended ${done?.status}`);
  const ms = performance.now() - t0;
  await cleaned();
  return ms;
}

/** Per-unit CPU figures for a JSON line (the lowest of the rounds). */
function cpuFields(samples: Array<{ node_us: number; redis_us: number }>, units: number) {
  if (PROCS > 0 || samples.length === 0) return {};
  return {
    node_cpu_us_per_unit: Math.round(Math.min(...samples.map((c) => c.node_us)) / units),
    redis_cpu_us_per_unit: Math.round(Math.min(...samples.map((c) => c.redis_us)) / units),
  };
}

/** Our figures, for the Celery ratios at the end. */
const ours: OurFigures = {};
/** Raw BullMQ's chords/s in this run (the `chords` case), for the chord lines' ratios. */
let rawChordsPerS: number | undefined;
const ratioToRawChords = (perS: number) =>
  rawChordsPerS === undefined ? {} : { ratio_to_raw_chords: Number((perS / rawChordsPerS).toFixed(2)) };

// Warm-up (JIT, Lua script loading) so neither side pays it inside the measurement.
await timeRun({ group: Array.from({ length: 200 }, (_, i) => ({ task: 'identity', args: [i] })) });

if (CASES.has('group')) {
  const raws: number[] = [];
  const rawFlows: number[] = [];
  const groups: number[] = [];
  const cpu = { raw: [] as CpuSample[], flow: [] as CpuSample[], group: [] as CpuSample[] };
  for (let round = 0; round < ROUNDS; round++) {
    const r = await withCpu(() => rawBullmq(rawOpts));
    raws.push(r.value);
    cpu.raw.push(r);
    if (PROCS === 0) {
      const f = await withCpu(() => rawBullmqFlow(rawOpts));
      rawFlows.push(f.value);
      cpu.flow.push(f);
    }
    const g = await withCpu(() =>
      timeRun({ group: Array.from({ length: N }, (_, i) => ({ task: 'identity', args: [i] })) }),
    );
    groups.push((N / g.value) * 1000);
    cpu.group.push(g);
  }
  const best = (xs: number[]) => Math.max(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const raw = best(raws);
  const group = best(groups);
  emit({
    case: 'raw_bullmq',
    jobs: N,
    concurrency: CONCURRENCY,
    procs: PROCS || 'in-process',
    jobs_per_s: Math.round(raw),
    median_jobs_per_s: Math.round(median(raws)),
    rounds: ROUNDS,
    ...cpuFields(cpu.raw, N),
  });
  const rawFlow = rawFlows.length > 0 ? best(rawFlows) : undefined;
  if (rawFlow !== undefined) {
    emit({
      case: 'raw_bullmq_flow',
      jobs: N,
      concurrency: CONCURRENCY,
      jobs_per_s: Math.round(rawFlow),
      median_jobs_per_s: Math.round(median(rawFlows)),
      rounds: ROUNDS,
      ...cpuFields(cpu.flow, N),
    });
  }
  emit({
    case: 'group',
    tasks: N,
    concurrency: CONCURRENCY,
    procs: PROCS || 'in-process',
    jobs_per_s: Math.round(group),
    median_jobs_per_s: Math.round(median(groups)),
    rounds: ROUNDS,
    ...cpuFields(cpu.group, N),
    ratio_to_raw: Number((group / raw).toFixed(3)),
    ...(rawFlow !== undefined ? { ratio_to_raw_flow: Number((group / rawFlow).toFixed(3)) } : {}),
    bar: 0.7,
    met: group / raw >= 0.7,
  });
  ours.group = group;
  // Redis cost per task, one more (untimed) run of each: commands (including those inside Lua scripts),
  // script calls and bytes on the wire.
  const rawCost = await measureRedisCost(conn, N, () => rawBullmq(rawOpts));
  emit({ case: 'redis_cost', side: 'raw_bullmq', tasks: N, ...rawCost.cost });
  const groupCost = await measureRedisCost(conn, N, () =>
    timeRun({ group: Array.from({ length: N }, (_, i) => ({ task: 'identity', args: [i] })) }),
  );
  emit({ case: 'redis_cost', side: 'group', tasks: N, ...groupCost.cost });
}

const chord = (i: number) => ({
  chord: {
    header: [
      { task: 'identity', args: [i] },
      { task: 'identity', args: [1] },
    ],
    body: { task: 'tsum' },
  },
});

if (CASES.has('chords')) {
  const CHORDS = 2000;
  const rc = await withCpu(() => rawBullmqChords(rawOpts, CHORDS));
  const rawChords = rc.value;
  rawChordsPerS = rawChords;
  emit({
    case: 'raw_bullmq_chords',
    chords: CHORDS,
    shape: 'per chord: a flow (parent + 2 no-op children); the parent adds a no-op body job',
    chords_per_s: Math.round(rawChords),
    ...cpuFields([rc], CHORDS),
  });
  const cg = await withCpu(() => timeRun({ group: Array.from({ length: CHORDS }, (_, i) => chord(i)) }));
  const chordGroupMs = cg.value;
  emit({
    case: 'small_chords',
    chords: CHORDS,
    shape: 'one run: group of chord([identity, identity], tsum)',
    ms: Math.round(chordGroupMs),
    chords_per_s: Math.round((CHORDS / chordGroupMs) * 1000),
    ...cpuFields([cg], CHORDS),
    ...ratioToRawChords((CHORDS / chordGroupMs) * 1000),
    bar: 2000,
  });
}

/**
 * Celery's worker, up from the independent runs case to the end: its chords rounds are taken between the
 * cluster's, pair by pair, so a drift in the shared machine's speed reaches both sides of a pair.
 */
const celery: (CeleryReference & { sizes: { chords: number } }) | undefined =
  CASES.has('celery') && celeryInstalled() ? await startCeleryReference(`${redis.url}/1`) : undefined;
/** Celery's chords rounds (seconds), in the order taken; paired with `ourRunsRounds` (ms) when both ran. */
const celeryChordRounds: number[] = [];
const ourRunsRounds: number[] = [];

const RUNS_PER_ROUND = arg('--runs', 1000);
if (CASES.has('runs')) {
  const RUNS = RUNS_PER_ROUND;
  /**
   * Rounds of this case (`--runs-rounds`, default 3) after the warm-up rounds, which are not counted, as
   * Celery's side gets (celeryRef.ts): the best time and the lowest CPU are reported, every round listed.
   */
  const RUNS_ROUNDS = Math.max(1, arg('--runs-rounds', 3));
  /**
   * Warm-up rounds (`--runs-warmup`, default 2): the worker's per-run CPU keeps falling for ~3,000 runs
   * (JIT tiers; e.g. 1,247 → 857 → 804 → 780 µs, then flat) and a long-running worker is past that; Celery
   * gets a round after each of ours, warm-ups included, and is flat from its first.
   */
  const RUNS_WARMUP = Math.max(0, arg('--runs-warmup', 2));
  let chordRunsMs = Number.POSITIVE_INFINITY;
  const roundsMs: number[] = [];
  const samples: CpuSample[] = [];
  let cost: RedisCost | undefined;
  for (let round = -RUNS_WARMUP; round < RUNS_ROUNDS; round++) {
    const t0 = performance.now();
    // Redis cost per run measured on the same runs (INFO snapshots before and after: three commands).
    const c = await withCpu(() =>
      measureRedisCost(conn, RUNS, async () => {
        const runs = await Promise.all(
          Array.from({ length: RUNS }, (_, i) => client.submit({ file: client.parseCanvas(chord(i)) })),
        );
        await waitAllFinished(runs.map((r) => r.id));
        const ms = performance.now() - t0;
        if (round >= 0) {
          roundsMs.push(Math.round(ms));
          chordRunsMs = Math.min(chordRunsMs, ms);
        }
        await cleaned();
      }),
    );
    // Celery's round right after ours (its warm-up after ours): the pair shares the machine's moment.
    const celerySeconds = celery?.chords(celery.sizes.chords);
    if (round < 0) continue;
    if (celerySeconds !== undefined) celeryChordRounds.push(celerySeconds);
    samples.push(c);
    cost = c.value.cost;
  }
  ourRunsRounds.push(...roundsMs);
  ours.chord_runs = (RUNS / chordRunsMs) * 1000;
  const median = [...roundsMs].sort((a, b) => a - b)[Math.floor(roundsMs.length / 2)] ?? chordRunsMs;
  ours.chord_runs_median = (RUNS / median) * 1000;
  emit({
    case: 'small_chord_runs',
    chords: RUNS,
    shape: 'independent runs, each chord([identity, identity], tsum)',
    rounds: RUNS_ROUNDS,
    warmup_rounds: RUNS_WARMUP,
    rounds_ms: roundsMs,
    rounds_node_cpu_us_per_unit: samples.map((c) => Math.round(c.node_us / RUNS)),
    ms: Math.round(chordRunsMs),
    chords_per_s: Math.round((RUNS / chordRunsMs) * 1000),
    median_chords_per_s: Math.round(ours.chord_runs_median),
    ...cpuFields(samples, RUNS),
    // Raw BullMQ's chords are added in one bulk; these are 1,000 separate submits (one run each).
    ...ratioToRawChords((RUNS / chordRunsMs) * 1000),
  });
  emit({
    case: 'redis_cost',
    side: 'small_chord_runs',
    per: 'run (3 tasks: 2 header members + body)',
    ...cost,
  });
}

if (CASES.has('chord5000')) {
  const M = 5000;
  const ms = await timeRun({
    chord: {
      header: Array.from({ length: M }, (_, i) => ({ task: 'identity', args: [i] })),
      body: { task: 'tsum' },
    },
  });
  emit({
    case: 'chord_5000',
    members: M,
    ms: Math.round(ms),
    tasks_per_s: Math.round(((M + 1) / ms) * 1000),
  });
}

if (CASES.has('chain')) {
  const STEPS = 1000;
  const t0 = performance.now();
  const run = await client.submit({
    file: client.parseCanvas({
      chain: [
        { task: 'identity', args: [0] },
        ...Array.from({ length: STEPS - 1 }, () => ({ task: 'identity' })),
      ],
    }),
  });
  const done = await client.waitFinished(run.id, 600_000);
  const chainMs = performance.now() - t0;
  if (done?.status !== 'success') throw new Error(`chain run ended ${done?.status}`);
  ours.chain = (STEPS / chainMs) * 1000;
  // Hop latency from the run's own event log.
  const report = runReport(run.id, await client.store.readEvents(run.id));
  emit({
    case: 'chain',
    steps: STEPS,
    ms: Math.round(chainMs),
    steps_per_s: Math.round(ours.chain),
    ...hopLatency(report),
    hop_resolution_ms: 1,
  });
}

if (CASES.has('celery')) {
  if (!celery) {
    emit({ case: 'celery', skipped: 'python3-celery is not installed (apt-get install python3-celery)' });
  } else {
    // Without the runs case, Celery's chords get their own rounds here (a warm-up, then three).
    if (celeryChordRounds.length === 0) {
      celery.chords(celery.sizes.chords);
      for (let i = 0; i < 3; i++) celeryChordRounds.push(celery.chords(celery.sizes.chords));
    }
    const c = celery.figures(celeryChordRounds);
    await celery.stop();
    emit({ case: 'celery', worker: 'prefork -c 2', ...c });
    emit(
      celeryRatios(ours, c, {
        ourRoundsMs: ourRunsRounds,
        runsPerRound: RUNS_PER_ROUND,
        celeryRoundsS: celeryChordRounds,
      }),
    );
  }
}

await celery?.stop();
await worker?.close();
await stopChildren(clusterChildren);
await client.close();
clientConn.disconnect();
conn.disconnect();
await redis.stop();
