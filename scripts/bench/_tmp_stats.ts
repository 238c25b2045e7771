import { FlowProducer, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ClusterClient } from '../../server/cluster/client';
import { startClusterWorker } from '../../server/cluster/worker';
import { loadTaskRegistry } from '../../server/tasks/registry';
import { startPrivateRedis } from '../../tests/support/redisServer';
const N = 10000;
async function stats(conn: Redis) {
  const info = await conn.info('commandstats');
  const rows = info.split('\n').filter((l) => l.startsWith('cmdstat_')).map((l) => {
    const [name, rest] = l.split(':');
    const m = Object.fromEntries((rest ?? '').split(',').map((kv) => kv.split('=')));
    return { name, calls: Number(m.calls), usec: Number(m.usec) };
  }).sort((a, b) => b.usec - a.usec);
  const total = rows.reduce((n, r) => n + r.usec, 0);
  console.log('total usec', total, 'per job', (total / N).toFixed(1));
  for (const r of rows.slice(0, 14)) console.log(r.name, r.calls, r.usec, (r.usec / N).toFixed(1));
  await conn.config('RESETSTAT');
}
{
  const redis = await startPrivateRedis();
  const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
  const prefix = '{rf}';
  const flows = new FlowProducer({ connection: conn, prefix });
  const wc = new Redis(redis.url, { maxRetriesPerRequest: null });
  let finish!: () => void;
  const finished = new Promise<void>((r) => { finish = r; });
  const c = new Worker('leaf', async () => null, { connection: wc, prefix, concurrency: 300 });
  const p = new Worker('parent', async () => { finish(); return null; }, { connection: wc, prefix, concurrency: 1 });
  await conn.config('RESETSTAT');
  await flows.add({ name: 'parent', queueName: 'parent', opts: { jobId: 'root' }, children: Array.from({ length: N }, (_, i) => ({ name: 'noop', queueName: 'leaf', data: { i }, opts: { jobId: `root.${i}`, ignoreDependencyOnFailure: true } })) });
  await finished;
  console.log('--- raw flow');
  await stats(conn);
  await c.close(); await p.close(); await flows.close(); wc.disconnect(); conn.disconnect(); await redis.stop();
}
{
  const redis = await startPrivateRedis();
  const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
  const registry = await loadTaskRegistry(undefined);
  const client = new ClusterClient(conn, '{chordflow}', registry.catalogue);
  const worker = await startClusterWorker({ redisUrl: redis.url, prefix: '{chordflow}', registry, concurrency: 300 });
  await conn.config('RESETSTAT');
  const run = await client.submit({ file: client.parseCanvas({ group: Array.from({ length: N }, (_, i) => ({ task: 'identity', args: [i] })) }) });
  await client.waitFinished(run.id, 600000);
  console.log('--- ours group');
  await stats(conn);
  await worker.close(); await client.close(); conn.disconnect(); await redis.stop();
}
