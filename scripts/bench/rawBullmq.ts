/**
 * Raw BullMQ references for `bench:engine` (SPEC 4 compares the cluster with "raw BullMQ's jobs/s for the
 * same jobs"): plain no-op jobs, the same jobs under one flow parent, and 4-jobs-per-chord chords.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { WORKER_V8_OPTIONS } from '../../server/cluster/workerProcesses';

export interface RawOptions {
  /** Shared producer connection. */
  conn: Redis;
  url: string;
  concurrency: number;
  /** Worker processes (0 = one in-process worker). */
  procs: number;
  n: number;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts a child process and resolves once it printed `marker`. */
export function startChild(
  args: string[],
  env: Record<string, string>,
  marker: string,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // Worker processes, ours and raw BullMQ's alike, start with the options `serve` gives its workers.
    const child = spawn(process.execPath, [...WORKER_V8_OPTIONS, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(marker)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`bench worker exited (${code})`)));
  });
}

export async function stopChildren(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null) return r();
          c.once('exit', () => r());
          c.kill('SIGTERM');
        }),
    ),
  );
}

const RAW_WORKER = `
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
const w = new Worker('raw', async () => null, { connection: new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null }), prefix: '{rawbench}', concurrency: Number(process.env.CONC) });
await w.waitUntilReady();
process.stdout.write('ready\\n');
process.on('SIGTERM', async () => { await w.close(); process.exit(0); });
`;

export async function rawBullmq(o: RawOptions): Promise<number> {
  const { conn, url: redisUrl, concurrency: CONCURRENCY, procs: PROCS, n: N } = o;
  const prefix = '{rawbench}';
  const q = new Queue('raw', { connection: conn, prefix });
  const workerConn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  if (PROCS > 0) {
    const children = await Promise.all(
      Array.from({ length: PROCS }, () =>
        startChild(
          ['--input-type=module', '-e', RAW_WORKER],
          { REDIS_URL: redisUrl, CONC: String(CONCURRENCY) },
          'ready',
        ),
      ),
    );
    const t0 = performance.now();
    await q.addBulk(Array.from({ length: N }, (_, i) => ({ name: 'noop', data: { i } })));
    while ((await q.getJobCountByTypes('completed')) < N) await new Promise((r) => setTimeout(r, 10));
    const ms = performance.now() - t0;
    await stopChildren(children);
    await q.obliterate({ force: true });
    await q.close();
    workerConn.disconnect();
    return (N / ms) * 1000;
  }
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

/**
 * Raw BullMQ with the barrier structure our group has: the same 10,000 no-op jobs as children of one
 * parent (one flow, `ignoreDependencyOnFailure`), done when the parent is released. BullMQ's own
 * parent/child bookkeeping roughly doubles the Redis time per job; this isolates that cost.
 */
let flowRound = 0;
export async function rawBullmqFlow(o: RawOptions): Promise<number> {
  const { conn, url: redisUrl, concurrency: CONCURRENCY, n: N } = o;
  const prefix = `{rawflow${++flowRound}}`;
  const flows = new FlowProducer({ connection: conn, prefix });
  const workerConn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let finish!: () => void;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const children = new Worker('leaf', async () => null, {
    connection: workerConn,
    prefix,
    concurrency: CONCURRENCY,
  });
  const parent = new Worker(
    'parent',
    async () => {
      finish();
      return null;
    },
    { connection: workerConn, prefix, concurrency: 1 },
  );
  const t0 = performance.now();
  await flows.add({
    name: 'parent',
    queueName: 'parent',
    opts: { jobId: 'root' },
    children: Array.from({ length: N }, (_, i) => ({
      name: 'noop',
      queueName: 'leaf',
      data: { i },
      opts: { jobId: `root.${i}`, ignoreDependencyOnFailure: true },
    })),
  });
  await finished;
  const ms = performance.now() - t0;
  await children.close();
  await parent.close();
  await flows.close();
  workerConn.disconnect();
  return (N / ms) * 1000;
}

/**
 * What raw BullMQ does for the same chords with the 4-jobs-per-chord structure (parent barrier + 2
 * children, the released parent adds the body): a reference for the chords/s bar.
 */
export async function rawBullmqChords(o: RawOptions, count: number): Promise<number> {
  const { conn, url: redisUrl, concurrency: CONCURRENCY } = o;
  const prefix = '{rawchords}';
  const flows = new FlowProducer({ connection: conn, prefix });
  const bodies = new Queue('leaf', { connection: conn, prefix });
  const workerConn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const leaf = new Worker(
    'leaf',
    async (job) => {
      if (job.name === 'body' && ++done === count) finish();
      return null;
    },
    { connection: workerConn, prefix, concurrency: CONCURRENCY },
  );
  const parent = new Worker(
    'parent',
    async (job) => {
      await bodies.add('body', null, { jobId: `${job.id}.body` });
      return null;
    },
    { connection: workerConn, prefix, concurrency: CONCURRENCY },
  );
  const t0 = performance.now();
  await flows.addBulk(
    Array.from({ length: count }, (_, i) => ({
      name: 'parent',
      queueName: 'parent',
      opts: { jobId: `c${i}` },
      children: [0, 1].map((k) => ({
        name: 'noop',
        queueName: 'leaf',
        data: { i },
        opts: { jobId: `c${i}.${k}`, ignoreDependencyOnFailure: true },
      })),
    })),
  );
  await finished;
  const ms = performance.now() - t0;
  await leaf.close();
  await parent.close();
  await flows.close();
  await bodies.close();
  workerConn.disconnect();
  return (count / ms) * 1000;
}
