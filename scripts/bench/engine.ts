/**
 * Engine throughput (SPEC 4), one run, same machine, same private redis-server, JSON lines:
 *  - raw BullMQ: 10,000 no-op jobs (addBulk + one worker) → jobs/s;
 *  - our cluster: a 10,000-task group of `identity` tasks → jobs/s and the ratio to raw (bar ≥ 0.7);
 *  - independent small chords (2 header tasks + body) → chords/s (bar ≥ 2,000/s);
 *  - a 1,000-step chain → steps/s.
 * Usage: npm run bench:engine [-- --concurrency 100]
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ClusterClient } from '../../server/cluster/client';
import { startClusterWorker } from '../../server/cluster/worker';
import { loadTaskRegistry } from '../../server/tasks/registry';
import { startPrivateRedis } from '../../tests/support/redisServer';

const argIdx = process.argv.indexOf('--concurrency');
const CONCURRENCY = Number(argIdx > 0 ? process.argv[argIdx + 1] : 100);
const N = 10_000;

function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'engine', ...record })}\n`);
}

const redis = await startPrivateRedis();
const conn = new Redis(redis.url, { maxRetriesPerRequest: null });

async function rawBullmq(): Promise<number> {
  const prefix = '{rawbench}';
  const q = new Queue('raw', { connection: conn, prefix });
  const workerConn = new Redis(redis.url, { maxRetriesPerRequest: null });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const t0 = performance.now();
  await q.addBulk(Array.from({ length: N }, (_, i) => ({ name: 'noop', data: { i } })));
  const w = new Worker('raw', async () => null, { connection: workerConn, prefix, concurrency: CONCURRENCY });
  w.on('completed', () => {
    if (++done === N) finish();
  });
  await finished;
  const ms = performance.now() - t0;
  await w.close();
  await q.obliterate({ force: true });
  await q.close();
  workerConn.disconnect();
  return (N / ms) * 1000;
}

const registry = await loadTaskRegistry(undefined);
const prefix = '{chordflow}';
const client = new ClusterClient(conn, prefix, registry.catalogue);
const worker = await startClusterWorker({ redisUrl: redis.url, prefix, registry, concurrency: CONCURRENCY });

async function timeRun(canvas: unknown): Promise<number> {
  const t0 = performance.now();
  const run = await client.submit({ file: client.parseCanvas(canvas) });
  const done = await client.waitFinished(run.id, 600_000);
  if (done?.status !== 'success') throw new Error(`bench run ended ${done?.status}`);
  return performance.now() - t0;
}

// Warm-up (JIT, Lua script loading) so neither side pays it inside the measurement.
await timeRun({ group: Array.from({ length: 200 }, (_, i) => ({ task: 'identity', args: [i] })) });

const raw = await rawBullmq();
emit({ case: 'raw_bullmq', jobs: N, concurrency: CONCURRENCY, jobs_per_s: Math.round(raw) });

const groupMs = await timeRun({ group: Array.from({ length: N }, (_, i) => ({ task: 'identity', args: [i] })) });
const group = (N / groupMs) * 1000;
emit({
  case: 'group',
  tasks: N,
  concurrency: CONCURRENCY,
  ms: Math.round(groupMs),
  jobs_per_s: Math.round(group),
  ratio_to_raw: Number((group / raw).toFixed(3)),
  bar: 0.7,
});

const CHORDS = 1000;
const chordCanvas = {
  chord: { header: [{ task: 'identity', args: [1] }, { task: 'identity', args: [2] }], body: { task: 'tsum' } },
};
const t0 = performance.now();
const runs = await Promise.all(
  Array.from({ length: CHORDS }, () => client.submit({ file: client.parseCanvas(chordCanvas) })),
);
for (const r of runs) {
  const done = await client.waitFinished(r.id, 600_000);
  if (done?.status !== 'success') throw new Error(`chord run ended ${done?.status}`);
}
const chordMs = performance.now() - t0;
emit({
  case: 'small_chords',
  chords: CHORDS,
  shape: 'independent runs, chord([identity, identity], tsum)',
  ms: Math.round(chordMs),
  chords_per_s: Math.round((CHORDS / chordMs) * 1000),
  bar: 2000,
});

const STEPS = 1000;
const chainMs = await timeRun({
  chain: [{ task: 'identity', args: [0] }, ...Array.from({ length: STEPS - 1 }, () => ({ task: 'identity' }))],
});
emit({ case: 'chain', steps: STEPS, ms: Math.round(chainMs), steps_per_s: Math.round((STEPS / chainMs) * 1000) });

await worker.close();
await client.close();
conn.disconnect();
await redis.stop();
