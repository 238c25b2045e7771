import { createServer, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveRunClient } from '@/components/run/liveRunClient';
import type { RunEvent } from '@/lib/protocol/events';
import type { RunsChanged } from '@/lib/protocol/socketEvents';
import { freePort } from '../../tests/support/redisServer';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { createRedis } from '../redis/connection';
import { RunStore } from '../runs/runStore';
import { attachLiveServer, type LiveServer } from './liveServer';
import { RedisEventSource } from './redisEventSource';

const PREFIX = '{livetest}';

interface Web {
  http: Server;
  live: LiveServer;
  url: string;
  redis: Redis;
}

async function startWeb(
  port: number,
  apiToken?: string,
  paging: { snapshotLimit?: number; pageSize?: number } = {},
): Promise<Web> {
  const redis = createRedis(testRedisUrl());
  const source = new RedisEventSource(redis, testRedisUrl(), PREFIX);
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const live = await attachLiveServer(http, {
    log: source,
    notifier: source,
    apiToken,
    pollMs: 200,
    ...paging,
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return { http, live, url: `http://127.0.0.1:${port}`, redis };
}

async function stopWeb(web: Web): Promise<void> {
  await web.live.close();
  await new Promise<void>((resolve) => web.http.close(() => resolve()));
  await web.redis.quit();
}

function observation(i: number) {
  return { type: 'observation' as const, at: i, observation: { i } };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function record(id: string) {
  const now = new Date().toISOString();
  return {
    id,
    name: 'live-test',
    project: 'tests',
    status: 'progress' as const,
    payload: {},
    canvas: null,
    created: now,
    updated: now,
    started_ms: Date.now(),
  };
}

describe('live Socket.IO server over the Redis event log', () => {
  let store: RunStore;
  let storeRedis: Redis;
  let a: Web;
  let b: Web;

  beforeAll(async () => {
    storeRedis = createRedis(testRedisUrl());
    store = new RunStore(storeRedis, PREFIX);
    a = await startWeb(3541);
    b = await startWeb(3542);
  });

  afterAll(async () => {
    await stopWeb(a);
    await stopWeb(b);
    await storeRedis.quit();
  });

  it('sends a snapshot, then the following events in order, each once', async () => {
    await store.createRun(record('snap1'), {});
    await store.appendEvents(
      'snap1',
      Array.from({ length: 30 }, (_, i) => observation(i)),
    );
    const seen: number[] = [];
    let run: unknown;
    const client = new LiveRunClient(
      'snap1',
      { onEvents: (evs) => seen.push(...evs.map((e) => e.seq)), onRun: (r) => (run = r) },
      { url: a.url },
    );
    await until(() => seen.length === 30, 'snapshot');
    expect(run).toMatchObject({ id: 'snap1', name: 'live-test', status: 'progress' });
    for (let i = 0; i < 20; i++) await store.appendEvents('snap1', [observation(30 + i)]);
    await store.appendEvents(
      'snap1',
      Array.from({ length: 25 }, (_, i) => observation(50 + i)),
    );
    await until(() => seen.length >= 75, 'live events');
    expect(seen).toEqual(Array.from({ length: 75 }, (_, i) => i + 1));
    client.close();
  });

  it('resumes after forced reconnects without gaps or duplicates, on two web servers', async () => {
    await store.createRun(record('resume1'), {});
    const seenA: RunEvent[] = [];
    const seenB: RunEvent[] = [];
    const ca = new LiveRunClient('resume1', { onEvents: (evs) => seenA.push(...evs) }, { url: a.url });
    const cb = new LiveRunClient('resume1', { onEvents: (evs) => seenB.push(...evs) }, { url: b.url });
    await until(() => ca.socket.connected && cb.socket.connected, 'connections');
    const total = 400;
    let appended = 0;
    const producer = (async () => {
      while (appended < total) {
        const n = Math.min(3, total - appended);
        await store.appendEvents(
          'resume1',
          Array.from({ length: n }, (_, i) => observation(appended + i)),
        );
        appended += n;
        await new Promise((r) => setTimeout(r, 4));
      }
    })();
    // Drop the transport twice mid-stream; the client reconnects and resubscribes from its last seq.
    await until(() => seenA.length > 50, 'first events');
    ca.socket.io.engine.close();
    await until(() => seenA.length > 200, 'events after the first reconnect');
    ca.socket.io.engine.close();
    cb.socket.io.engine.close();
    await until(() => ca.subscribes >= 3 && ca.socket.connected, 'the second resubscribe');
    await producer;
    await until(() => seenA.length === total && seenB.length === total, 'every event on both servers');
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    expect(seenA.map((e) => e.seq)).toEqual(expected);
    expect(seenB.map((e) => e.seq)).toEqual(expected);
    expect(seenA.map((e) => (e as unknown as { observation: { i: number } }).observation.i)).toEqual(
      expected.map((s) => s - 1),
    );
    ca.close();
    cb.close();
  });

  it('reconnects after the server closed the socket (a restart), and is live again', async () => {
    await store.createRun(record('restart1'), {});
    const port = await freePort();
    let web = await startWeb(port);
    const statuses: string[] = [];
    const client = new LiveRunClient(
      'restart1',
      { onEvents: () => {}, onStatus: (s) => statuses.push(s) },
      { url: web.url },
    );
    try {
      await until(() => statuses.at(-1) === 'live', 'the first snapshot');
      await stopWeb(web);
      await until(() => statuses.at(-1) === 'offline', 'the offline state');
      web = await startWeb(port);
      await until(() => statuses.at(-1) === 'live', 'live again after the restart');
      expect(client.subscribes).toBeGreaterThanOrEqual(2);
    } finally {
      client.close();
      await stopWeb(web);
    }
  });

  it('repairs a lost notification from the log (pub/sub is at-most-once)', async () => {
    await store.createRun(record('lost1'), {});
    await store.appendEvents('lost1', [observation(0)]);
    const seen: number[] = [];
    const client = new LiveRunClient(
      'lost1',
      { onEvents: (evs) => seen.push(...evs.map((e) => e.seq)) },
      { url: a.url },
    );
    await until(() => seen.length === 1, 'the first event');
    // Appended without the PUBLISH: the feed's periodic read of the log must deliver it.
    await storeRedis.rpush(
      store.keys.events('lost1'),
      JSON.stringify(observation(1)),
      JSON.stringify(observation(2)),
    );
    await until(() => seen.length === 3, 'the silently appended events');
    // The next published event follows on without a duplicate.
    await store.appendEvents('lost1', [observation(3)]);
    await until(() => seen.length === 4, 'the next event');
    expect(seen).toEqual([1, 2, 3, 4]);
    client.close();
  });

  it('sends a big log as a first page then pages of events, complete and in order, with appends meanwhile', async () => {
    // Small pages so a few thousand events take many of them (serve's defaults are 500 and 250).
    const paged = await startWeb(0, undefined, { snapshotLimit: 100, pageSize: 64 });
    const port = (paged.http.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}`;
    try {
      await store.createRun(record('big1'), {});
      for (let at = 0; at < 3000; at += 1000)
        await store.appendEvents(
          'big1',
          Array.from({ length: 1000 }, (_, i) => observation(at + i)),
        );
      // The ack holds the first page only; last_seq says where it ends.
      const raw = ioClient(url, { transports: ['websocket'] });
      const ack = await new Promise<{ ok: boolean; data?: { events: RunEvent[]; last_seq: number } }>(
        (resolve) => raw.emit('run:subscribe', { run_id: 'big1', after_seq: 10 }, resolve),
      );
      raw.disconnect();
      expect(ack.ok).toBe(true);
      expect(ack.data?.events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 11 + i));
      expect(ack.data?.last_seq).toBe(110);

      const seen: number[] = [];
      const client = new LiveRunClient(
        'big1',
        { onEvents: (evs) => seen.push(...evs.map((e) => e.seq)) },
        { url },
      );
      // Appends while the pages are being sent: they follow the log, not the room, until it caught up.
      for (let i = 0; i < 20; i++) await store.appendEvents('big1', [observation(3000 + i)]);
      await until(() => seen.length >= 3020, 'the whole log');
      expect(seen).toEqual(Array.from({ length: 3020 }, (_, i) => i + 1));
      // The room was joined only once this socket had everything up to the feed's cursor: no gap to repair.
      expect(client.subscribes).toBe(1);
      // Live events after the catch-up come from the room.
      await store.appendEvents('big1', [observation(4000)]);
      await until(() => seen.length === 3021, 'a live event');
      expect(seen[3020]).toBe(3021);
      client.close();
      // Over long-polling too (each page waits for the transport to drain, i.e. for the next poll).
      const polling = ioClient(url, { transports: ['polling'], upgrade: false });
      const got: number[] = [];
      polling.on('run:event', (e: RunEvent) => got.push(e.seq));
      const first = await new Promise<{ ok: boolean; data?: { events: RunEvent[] } }>((resolve) =>
        polling.emit('run:subscribe', { run_id: 'big1' }, resolve),
      );
      got.unshift(...(first.data?.events ?? []).map((e) => e.seq));
      await until(() => got.length >= 3021, 'the whole log over polling');
      expect(got).toEqual(Array.from({ length: 3021 }, (_, i) => i + 1));
      polling.disconnect();
    } finally {
      await stopWeb(paged);
    }
  });

  it('resumes from a seq given by the caller (page reload with a known position)', async () => {
    await store.createRun(record('after1'), {});
    await store.appendEvents(
      'after1',
      Array.from({ length: 10 }, (_, i) => observation(i)),
    );
    const seen: number[] = [];
    const client = new LiveRunClient(
      'after1',
      { onEvents: (evs) => seen.push(...evs.map((e) => e.seq)) },
      { url: b.url, afterSeq: 6 },
    );
    await until(() => seen.length === 4, 'the tail');
    expect(seen).toEqual([7, 8, 9, 10]);
    client.close();
  });

  it('stops forwarding a run once its last watcher is gone, even one that dropped mid-subscribe', async () => {
    await store.createRun(record('leak1'), {});
    const clients = [1, 2].map(() => new LiveRunClient('leak1', { onEvents: () => {} }, { url: a.url }));
    await until(() => clients.every((c) => c.socket.connected && c.subscribes > 0), 'subscribes');
    const dropping = ioClient(a.url, { transports: ['websocket'] });
    await new Promise<void>((resolve) => dropping.on('connect', () => resolve()));
    dropping.emit('run:subscribe', { run_id: 'leak1' }, () => {});
    dropping.disconnect();
    await until(() => a.live.feed.watchedRuns >= 1, 'the run to be watched');
    for (const c of clients) c.close();
    await until(() => a.live.feed.watchedRuns === 0, 'no watched run left');
  });

  it('announces created and finished runs to the runs room', async () => {
    const socket = ioClient(a.url, { transports: ['websocket'] });
    const changes: RunsChanged[] = [];
    socket.on('runs:changed', (c) => changes.push(c));
    await new Promise<void>((resolve) => socket.emit('runs:subscribe', () => resolve()));
    await store.createRun(record('list1'), {});
    await store.appendEvents('list1', [{ type: 'run.started', at: 0, tasks: [], name: 'live-test' }]);
    await store.appendEvents('list1', [{ type: 'run.finished', at: 5, status: 'success' }]);
    await until(() => changes.length >= 2, 'runs:changed');
    expect(changes).toEqual([
      { kind: 'created', run_id: 'list1', name: 'live-test' },
      { kind: 'finished', run_id: 'list1', status: 'success' },
    ]);
    socket.disconnect();
  });

  it('rejects invalid subscribe payloads with a sentence', async () => {
    const socket = ioClient(a.url, { transports: ['websocket'] });
    const reply = await new Promise<unknown>((resolve) =>
      socket.emit('run:subscribe', { run_id: 'bad id with spaces', after_seq: -1 } as never, resolve),
    );
    expect(reply).toMatchObject({ ok: false });
    expect((reply as { error: string }).error).toMatch(/^Invalid subscribe request/);
    socket.disconnect();
  });

  it('requires the API token when one is configured', async () => {
    const secured = await startWeb(3543, 's3cret');
    try {
      const refused = ioClient(secured.url, { transports: ['websocket'], reconnection: false });
      const err = await new Promise<Error>((resolve) => refused.on('connect_error', resolve));
      expect(err.message).toMatch(/^unauthorized/);
      refused.disconnect();
      const allowed = ioClient(secured.url, { transports: ['websocket'], auth: { token: 's3cret' } });
      await new Promise<void>((resolve) => allowed.on('connect', () => resolve()));
      allowed.disconnect();
    } finally {
      await stopWeb(secured);
    }
  });
});
