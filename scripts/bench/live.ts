/**
 * `npm run bench:live` — worker event → Socket.IO client latency (SPEC 4: p99 ≤ 20 ms at 2,000 events/s).
 *
 * Setup: a private redis-server; the live Socket.IO layer on an HTTP server in a child process (the same
 * `attachLiveServer` + `RedisEventSource` the web server uses, without Next, whose page handling plays no
 * part in this path); in this process a producer appending events through the workers' hot path
 * (`StoreBatch.appendEvents` + `flush`: Lua RPUSH + PUBLISH) and a socket.io-client subscriber
 * (`LiveRunClient`, the browser's code). Producer and subscriber share one clock, so latency is
 * receive time − append time. Prints one JSON line per rate.
 *
 * Options: --rates 2000,5000  --seconds 8  --port 3560
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LiveRunClient } from '../../components/run/liveRunClient';
import type { RunEvent } from '../../lib/protocol/events';
import { createRedis } from '../../server/redis/connection';
import { RunStore, StoreBatch } from '../../server/runs/runStore';
import { attachLiveServer } from '../../server/socket/liveServer';
import { RedisEventSource } from '../../server/socket/redisEventSource';
import { startPrivateRedis } from '../../tests/support/redisServer';

const PREFIX = '{bench}';

function now(): number {
  return performance.timeOrigin + performance.now();
}

async function serve(redisUrl: string, port: number): Promise<void> {
  const redis = createRedis(redisUrl);
  const source = new RedisEventSource(redis, redisUrl, PREFIX);
  const http = createServer();
  await attachLiveServer(http, { log: source, notifier: source });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  process.stdout.write('ready\n');
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

async function measure(redisUrl: string, url: string, rate: number, seconds: number): Promise<void> {
  const redis = createRedis(redisUrl, { worker: true });
  const store = new RunStore(redis, PREFIX);
  const batch = new StoreBatch(store);
  const runId = `bench-${rate}-${Math.round(now())}`;
  const created = new Date().toISOString();
  await store.createRun(
    {
      id: runId,
      name: 'bench',
      project: 'bench',
      status: 'progress',
      payload: null,
      canvas: null,
      created,
      updated: created,
      started_ms: Date.now(),
    },
    {},
  );
  const latencies: number[] = [];
  const warmupMs = 1000;
  let received = 0;
  let maxSeqSeen = 0;
  let outOfOrder = 0;
  const client = new LiveRunClient(
    runId,
    {
      onEvents(events: RunEvent[]) {
        const t = now();
        for (const e of events) {
          received += 1;
          if (e.seq <= maxSeqSeen) outOfOrder += 1;
          maxSeqSeen = Math.max(maxSeqSeen, e.seq);
          if (e.type !== 'observation') continue;
          const o = e.observation as { t: number; measured: boolean };
          if (o.measured) latencies.push(t - o.t);
        }
      },
    },
    { url },
  );
  await new Promise<void>((resolve) => {
    const check = () =>
      client.socket.connected && client.subscribes > 0 ? resolve() : setTimeout(check, 20);
    check();
  });
  await new Promise((r) => setTimeout(r, 200));

  const start = now();
  const total = Math.round(rate * (seconds + warmupMs / 1000));
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = now() - start;
      const due = Math.min(total, Math.floor((elapsed / 1000) * rate));
      // Each event is its own append, as when many jobs finish in one turn (they share one pipeline).
      while (sent < due) {
        const t = now();
        const event = {
          type: 'observation' as const,
          at: Math.round(t - start),
          observation: { t, measured: elapsed >= warmupMs },
        };
        batch.appendEvents(runId, [event]);
        sent += 1;
      }
      void batch.flush();
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await batch.flush();
  const deadline = now() + 5000;
  while (received < total && now() < deadline) await new Promise((r) => setTimeout(r, 20));
  client.close();
  await redis.quit();

  latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  const line = {
    bench: 'live',
    rate_events_per_s: rate,
    seconds,
    expected: total,
    delivered: received,
    delivered_ratio: round(received / total),
    out_of_order_or_duplicate: outOfOrder,
    measured: latencies.length,
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
    p99_ms: round(percentile(latencies, 99)),
    max_ms: round(latencies[latencies.length - 1] ?? Number.NaN),
    bar_p99_ms: 20,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      port: { type: 'string' },
      rates: { type: 'string' },
      seconds: { type: 'string' },
    },
  });
  const port = Number(values.port ?? 3560);
  if (values.serve) {
    await serve(values.serve, port);
    return;
  }
  const rates = (values.rates ?? '2000').split(',').map(Number);
  const seconds = Number(values.seconds ?? 8);
  const redis = await startPrivateRedis();
  let child: ChildProcess | undefined;
  try {
    const self = fileURLToPath(import.meta.url);
    child = spawn(process.execPath, ['--import', 'tsx', self, '--serve', redis.url, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child?.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      child?.once('exit', (code) => reject(new Error(`the bench web server exited (code ${code})`)));
    });
    for (const rate of rates) await measure(redis.url, `http://127.0.0.1:${port}`, rate, seconds);
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await redis.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:live failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
