/**
 * A long chain on one in-process worker: wall time, this process's CPU per step and the event loop's
 * longest hold, for chain lengths given by `--steps 1000,10000` (per-step cost should not grow with
 * the length). Usage: npx tsx scripts/bench/longChain.ts --steps 1000,10000 [--inline 16] [--inline-ms 1000]
 * (`--inline-ms 1e9`: inline steps bounded by count only, as before the time bound)
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { ClusterClient } from '../../server/cluster/client';
import { startClusterWorker } from '../../server/cluster/worker';
import { loadTaskRegistry } from '../../server/tasks/registry';
import { startPrivateRedis } from '../../tests/support/redisServer';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const sizes = arg('--steps', '1000,10000').split(',').map(Number);
const inline = Number(arg('--inline', '16'));
const inlineMs = Number(arg('--inline-ms', '1000'));

const redis = await startPrivateRedis();
const registry = await loadTaskRegistry(undefined);
const prefix = '{chordflow}';
const client = new ClusterClient(
  new Redis(redis.url, { maxRetriesPerRequest: null }),
  prefix,
  registry.catalogue,
);
const worker = await startClusterWorker({
  redisUrl: redis.url,
  prefix,
  registry,
  maxInlineSteps: inline,
  maxInlineMs: inlineMs,
});
for (const steps of sizes) {
  const file = client.parseCanvas({
    chain: [
      { task: 'identity', args: [0] },
      ...Array.from({ length: steps - 1 }, () => ({ task: 'identity' })),
    ],
  });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const run = await client.submit({ file });
  const done = await client.waitFinished(run.id, 900_000);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  process.stdout.write(
    `${JSON.stringify({
      steps,
      status: done?.status,
      ms: Math.round(ms),
      node_cpu_us_per_step: Math.round((cpu.user + cpu.system) / steps),
      loop_max_ms: Math.round(loop.max / 1e6),
      load_avg_1m: loadavg()[0],
    })}\n`,
  );
}
await worker.close();
await redis.stop();
process.exit(0);
