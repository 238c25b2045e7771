/**
 * `npm run bench:reliability` — SPEC 4 reliability bar: SIGKILL random workers during 100 runs; every run
 * must complete and every chord body must run exactly once.
 *
 * A private redis-server, three `chordflow worker` processes (lock 2 s, stall check 1 s), 100 runs of
 * `chain(delayed 0.5 s, chord([delayed 1.5/1/0.5 s], record(tag=body)), record(tag=end))` submitted at once, and a
 * chaos loop that SIGKILLs a random worker every 0.4–1.0 s and starts a replacement. Chord bodies are
 * counted through their `record` observations. Prints JSON lines.
 */

import { startStack } from '../../server/cluster/stack';
import { loadConfig } from '../../server/config';
import { runReport } from '../../server/runs/report';
import { startPrivateRedis } from '../../tests/support/redisServer';
import { spawnWorker, type WorkerProcess } from '../../tests/support/workerProcess';

const RUNS = Number(process.env.RELIABILITY_RUNS ?? 100);
const WORKERS = 3;

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const canvas = {
  chain: [
    { task: 'delayed', args: [1], kwargs: { ms: 500 }, immutable: true },
    {
      chord: {
        header: [
          { task: 'delayed', kwargs: { ms: 1500 } },
          { task: 'delayed', kwargs: { ms: 1000 } },
          { task: 'delayed', kwargs: { ms: 500 } },
        ],
        body: { task: 'record', kwargs: { tag: 'body' } },
      },
    },
    { task: 'record', kwargs: { tag: 'end' } },
  ],
};

async function main(): Promise<void> {
  const redis = await startPrivateRedis();
  const prefix = '{chaos}';
  const env = {
    REDIS_URL: redis.url,
    CHORDFLOW_PREFIX: prefix,
    CHORDFLOW_LOCK_MS: '2000',
    CHORDFLOW_STALLED_MS: '1000',
    CHORDFLOW_WORKER_CONCURRENCY: '8',
    CHORDFLOW_TASKS_DIR: './tasks',
  };
  const config = { ...loadConfig({ ...process.env, ...env }), modelServicePort: 0 };
  const stack = await startStack({ config, startLocalRedis: false, startModelService: false, workers: 0 });
  const client = stack.client;
  if (!client) throw new Error('no Redis for the reliability bench');

  const workers: WorkerProcess[] = await Promise.all(Array.from({ length: WORKERS }, () => spawnWorker(env)));
  const started = Date.now();
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const rec = await client.submit({ file: client.parseCanvas(canvas), name: `chaos-${i}` });
    runIds.push(rec.id);
  }

  let kills = 0;
  let chaos = true;
  const chaosLoop = (async () => {
    while (chaos) {
      await new Promise((r) => setTimeout(r, 400 + Math.random() * 600));
      if (!chaos) break;
      const victim = Math.floor(Math.random() * workers.length);
      const w = workers[victim];
      if (!w) continue;
      await w.kill('SIGKILL');
      kills++;
      workers[victim] = await spawnWorker(env);
    }
  })();

  const finished = await Promise.all(runIds.map((id) => client.waitFinished(id, 240_000)));
  chaos = false;
  await chaosLoop;
  const seconds = (Date.now() - started) / 1000;

  let completed = 0;
  let succeeded = 0;
  let bodyExactlyOnce = 0;
  let endExactlyOnce = 0;
  const bodyCounts: Record<string, number> = {};
  for (const [i, id] of runIds.entries()) {
    if (finished[i] !== undefined) completed++;
    const report = runReport(id, await client.store.readEvents(id));
    if (report.status === 'success') succeeded++;
    const tags = report.observations.map((o) => (o as { tag?: string }).tag);
    const bodies = tags.filter((t) => t === 'body').length;
    bodyCounts[bodies] = (bodyCounts[bodies] ?? 0) + 1;
    if (bodies === 1) bodyExactlyOnce++;
    if (tags.filter((t) => t === 'end').length === 1) endExactlyOnce++;
  }
  emit({
    bench: 'reliability.sigkill_random_workers',
    runs: RUNS,
    workers: WORKERS,
    kills,
    seconds: Number(seconds.toFixed(1)),
    completed,
    succeeded,
    chord_body_exactly_once: bodyExactlyOnce,
    chord_body_runs_histogram: bodyCounts,
    last_step_exactly_once: endExactlyOnce,
    completed_pct: (100 * completed) / RUNS,
  });

  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  await stack.close();
  await redis.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:reliability failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
