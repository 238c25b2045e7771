import { Redis } from 'ioredis';
import { ClusterClient } from '../../server/cluster/client';
import { startClusterWorker } from '../../server/cluster/worker';
import { loadTaskRegistry } from '../../server/tasks/registry';
import { startPrivateRedis } from '../../tests/support/redisServer';

const N = 10_000;
const redis = await startPrivateRedis();
const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
const registry = await loadTaskRegistry(undefined);
const prefix = '{chordflow}';
const clientConn = new Redis(redis.url, { maxRetriesPerRequest: null });
const client = new ClusterClient(clientConn, prefix, registry.catalogue);
const worker = await startClusterWorker({ redisUrl: redis.url, prefix, registry, concurrency: 300 });
async function cleaned() {
  while ((await conn.zcard(`${prefix}:ended`)) > 0) await new Promise((r) => setTimeout(r, 20));
}
async function one(n: number) {
  const run = await client.submit({
    file: client.parseCanvas({
      group: Array.from({ length: n }, (_, i) => ({ task: 'identity', args: [i] })),
    }),
  });
  const done = await client.waitFinished(run.id, 600_000);
  if (done?.status !== 'success') throw new Error('bad');
  await cleaned();
}
await one(200);
const rounds = Number(process.env.ROUNDS ?? 3);
const out: number[] = [];
for (let i = 0; i < rounds; i++) {
  const n0 = process.cpuUsage();
  await one(N);
  const c = process.cpuUsage(n0);
  out.push((c.user + c.system) / N);
}
console.log(JSON.stringify({ node_us_per_task: out.map(Math.round), min: Math.round(Math.min(...out)) }));
await worker.close();
conn.disconnect();
clientConn.disconnect();
await redis.stop?.();
process.exit(0);
