/**
 * `npm run bench:live` — worker event → Socket.IO client latency (SPEC 4: p99 ≤ 20 ms at 2,000 events/s).
 *
 * Setup: a private redis-server; in a child process the web server with Socket.IO (`startWebServer` +
 * `attachLiveServer` + `RedisEventSource`, as `chordflow serve` wires them; without a production build,
 * or with --bare, a plain HTTP server with the same Socket.IO layer); in this process a producer appending events through the workers' hot path
 * (`StoreBatch.appendEvents` + `flush`: Lua RPUSH + PUBLISH) and a socket.io-client subscriber
 * (`LiveRunClient`, the browser's code). Producer and subscriber share one clock, so latency is
 * receive time − append time. Prints one JSON line per rate.
 *
 * Options: --rates 2000,5000  --seconds 8  --port 3560  --bare
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg } from 'node:os';
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

/**
 * The web server process: the real one (Next + API + Socket.IO on one port, as `chordflow serve` runs
 * it) when a production build exists, else a bare HTTP server with the same Socket.IO layer.
 */
async function serve(redisUrl: string, port: number, bare: boolean): Promise<void> {
  const redis = createRedis(redisUrl);
  const source = new RedisEventSource(redis, redisUrl, PREFIX);
  const built = existsSync(fileURLToPath(new URL('../../.next/BUILD_ID', import.meta.url)));
  let kind = 'bare';
  let http: Server;
  if (built && !bare) {
    const { startWebServer } = await import('../../server/webServer');
    http = (await startWebServer({ port, host: '127.0.0.1', dev: false })).server;
    kind = 'next';
  } else {
    http = createServer();
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  }
  await attachLiveServer(http, { log: source, notifier: source });
  process.stdout.write(`ready ${kind}\n`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

async function measure(
  redisUrl: string,
  url: string,
  rate: number,
  seconds: number,
  server: string,
): Promise<void> {
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
    server,
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
    // Other processes on the machine inflate the tail: report how busy it was.
    cpus: cpus().length,
    load_avg_1m: round(loadavg()[0] ?? 0),
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
      bare: { type: 'boolean' },
    },
  });
  const port = Number(values.port ?? 3560);
  if (values.serve) {
    await serve(values.serve, port, values.bare ?? false);
    return;
  }
  const rates = (values.rates ?? '2000').split(',').map(Number);
  const seconds = Number(values.seconds ?? 8);
  const redis = await startPrivateRedis();
  let child: ChildProcess | undefined;
  try {
    const self = fileURLToPath(import.meta.url);
    const args = ['--import', 'tsx', self, '--serve', redis.url, '--port', String(port)];
    if (values.bare) args.push('--bare');
    child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let server = 'bare';
    await new Promise<void>((resolve, reject) => {
      child?.stdout?.on('data', (d: Buffer) => {
        const m = /ready (\w+)/.exec(d.toString());
        if (m?.[1]) {
          server = m[1];
          resolve();
        }
      });
      child?.once('exit', (code) => reject(new Error(`the bench web server exited (code ${code})`)));
    });
    for (const rate of rates) await measure(redis.url, `http://127.0.0.1:${port}`, rate, seconds, server);
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
