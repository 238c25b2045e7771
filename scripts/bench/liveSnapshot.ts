/**
 * `npm run bench:snapshot` — Issue #11 point 3: opening the live view of a big finished run must not hold
 * the web process's event loop for more than a few ms at a time.
 *
 * A private redis-server holds one run with LIVE_SNAPSHOT_EVENTS (default 60,000) task-sized events. In
 * this process, the live layer as `chordflow serve` wires it (`attachLiveServer` + `RedisEventSource`) on
 * a plain HTTP server; `monitorEventLoopDelay` watches this loop. A socket.io-client on a worker thread
 * (so its decoding is not counted) subscribes and counts events until the whole log arrived, in order.
 * Two rounds, each beside the other in the same run:
 *   - `one_ack` (reference): `snapshotLimit` = the whole log, the old design (one read, decode and
 *     encode of every event inside the subscribe);
 *   - `paged`: the default, a first page in the ack and the rest sent in pages with yields between;
 *   - `idle`: the same loop, nobody subscribing, for as long as `paged` took (the machine's noise floor).
 * Prints JSON lines.
 */
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createRedis } from '../../server/redis/connection';
import { RunStore } from '../../server/runs/runStore';
import { attachLiveServer } from '../../server/socket/liveServer';
import { RedisEventSource } from '../../server/socket/redisEventSource';
import { startPrivateRedis } from '../../tests/support/redisServer';

const EVENTS = Number(process.env.LIVE_SNAPSHOT_EVENTS ?? 60_000);
const PREFIX = '{snap}';
const RUN = 'bigsnap';

/** Subscribes from a worker thread; resolves with the seqs' order check and the time to the last event. */
function subscribe(url: string, total: number): Promise<{ ms: number; inOrder: boolean; count: number }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { io } = require('socket.io-client');
    const socket = io(workerData.url, { transports: ['websocket'] });
    let last = 0, inOrder = true, count = 0;
    const t0 = performance.now();
    const take = (e) => { if (e.seq <= last) return; if (e.seq !== last + 1) inOrder = false; last = e.seq; count++; done(); };
    const done = () => { if (last >= workerData.total) { parentPort.postMessage({ ms: performance.now() - t0, inOrder, count }); socket.close(); } };
    socket.on('run:event', take);
    socket.emit('run:subscribe', { run_id: workerData.run }, (reply) => {
      if (!reply.ok) throw new Error(reply.error);
      for (const e of reply.data.events) take(e);
    });
  `;
  const worker = new Worker(code, { eval: true, workerData: { url, total, run: RUN } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const redis = await startPrivateRedis();
  const storeRedis = createRedis(redis.url);
  try {
    const store = new RunStore(storeRedis, PREFIX);
    const now = new Date().toISOString();
    await store.createRun(
      {
        id: RUN,
        name: 'big',
        project: 'bench',
        status: 'success',
        payload: {},
        canvas: null,
        created: now,
        updated: now,
        started_ms: Date.now(),
      },
      {},
    );
    // Task-sized events (~200 bytes each, as a task.succeeded with a small result is).
    const batch = 5000;
    for (let at = 0; at < EVENTS; at += batch) {
      await store.appendEvents(
        RUN,
        Array.from({ length: Math.min(batch, EVENTS - at) }, (_, i) => ({
          type: 'observation' as const,
          at: at + i,
          observation: {
            task_id: `t-${at + i}-4f1c2a9e-8d3b-4c55-9a0e`,
            name: 'add',
            result: at + i,
            worker: 'w1',
          },
        })),
      );
    }
    const only = process.env.LIVE_SNAPSHOT_ROUNDS?.split(',');
    let pagedMs = 1000;
    for (const [name, snapshotLimit] of [
      ['one_ack', EVENTS],
      ['paged', undefined],
      ['idle', undefined],
    ] as const) {
      if (only && !only.includes(name)) continue;
      const http = createServer();
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const addr = http.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      const webRedis = createRedis(redis.url);
      const source = new RedisEventSource(webRedis, redis.url, PREFIX);
      const live = await attachLiveServer(http, {
        log: source,
        notifier: source,
        ...(snapshotLimit !== undefined ? { snapshotLimit } : {}),
      });
      const delay = monitorEventLoopDelay({ resolution: 1 });
      await new Promise((r) => setTimeout(r, 200));
      delay.enable();
      // `idle`: the same loop for as long as the paged round took, nobody subscribing (the machine's noise).
      const got =
        name === 'idle'
          ? await new Promise<{ ms: number; inOrder: boolean; count: number }>((resolve) =>
              setTimeout(() => resolve({ ms: pagedMs, inOrder: true, count: 0 }), pagedMs),
            )
          : await subscribe(`http://127.0.0.1:${port}`, EVENTS);
      delay.disable();
      if (name === 'paged') pagedMs = got.ms;
      process.stdout.write(
        `${JSON.stringify({
          bench: `snapshot.${name}`,
          events: EVENTS,
          received: got.count,
          in_order: got.inOrder,
          all_received_ms: Math.round(got.ms),
          web_loop_delay_max_ms: Number((delay.max / 1e6).toFixed(1)),
          web_loop_delay_p99_ms: Number((delay.percentile(99) / 1e6).toFixed(1)),
          loadavg_1m: Number(loadavg()[0]?.toFixed(2)),
        })}\n`,
      );
      await live.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await webRedis.quit();
    }
  } finally {
    await storeRedis.quit();
    await redis.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:snapshot failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
