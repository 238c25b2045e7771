/**
 * Socket.IO driven as an attacker would (issue #10): a handshake from another origin (websocket and
 * long-polling), sockets without the token, the token as `Authorization: Bearer` as README promised,
 * subscriptions beyond the per-socket cap, and subscriptions to run ids nobody created (which must cost
 * no Redis polling).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSnapshot } from '@/lib/protocol/socketEvents';
import type { SecurityPolicy } from '@/server/http/security/policy';
import { createRedis } from '@/server/redis/connection';
import { RunStore } from '@/server/runs/runStore';
import { attachLiveServer, type LiveServer } from '@/server/socket/liveServer';
import { RedisEventSource } from '@/server/socket/redisEventSource';
import { testRedisUrl } from '../support/testRedisUrl';

const PREFIX = '{sockattack}';
const TOKEN = 'tok-3f9a';
const LISTED = 'https://director.example.com';

interface Web {
  http: Server;
  live: LiveServer;
  url: string;
  redis: Redis;
}

async function startWeb(security: SecurityPolicy): Promise<Web> {
  const redis = createRedis(testRedisUrl());
  const source = new RedisEventSource(redis, testRedisUrl(), PREFIX);
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const live = await attachLiveServer(http, { log: source, notifier: source, security, pollMs: 200 });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return { http, live, url: `http://127.0.0.1:${port}`, redis };
}

async function stopWeb(web: Web): Promise<void> {
  await web.live.close();
  await new Promise<void>((resolve) => web.http.close(() => resolve()));
  await web.redis.quit();
}

/** Connects; resolves with the socket, or the connect error's message. */
function connect(url: string, opts: Parameters<typeof ioClient>[1]): Promise<Socket | string> {
  return new Promise((resolve) => {
    const socket = ioClient(url, { reconnection: false, forceNew: true, ...opts });
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', (err) => {
      socket.close();
      resolve(err.message);
    });
  });
}

function subscribe(
  socket: Socket,
  runId: string,
): Promise<{ ok: boolean; error?: string; data?: RunSnapshot }> {
  return new Promise((resolve) => socket.emit('run:subscribe', { run_id: runId }, resolve));
}

let secured: Web;
let open: Web;
let store: RunStore;
let storeRedis: Redis;

beforeAll(async () => {
  secured = await startWeb({ token: TOKEN, corsOrigins: new Set([LISTED]), maxSubscriptions: 5 });
  open = await startWeb({ token: undefined, corsOrigins: new Set(), maxSubscriptions: 5 });
  storeRedis = createRedis(testRedisUrl());
  store = new RunStore(storeRedis, PREFIX);
  const now = new Date().toISOString();
  for (let i = 0; i < 7; i++) {
    await store.createRun(
      {
        id: `sock${i}`,
        name: 'n',
        project: 'p',
        status: 'progress',
        payload: { secret: i },
        canvas: null,
        created: now,
        updated: now,
        started_ms: Date.now(),
      },
      {},
    );
  }
});

afterAll(async () => {
  await stopWeb(secured);
  await stopWeb(open);
  await storeRedis.quit();
});

describe('socket handshakes', () => {
  it('refuses another origin, over websocket and long-polling, even without a token set', async () => {
    for (const transports of [['websocket'], ['polling']] as const) {
      const r = await connect(open.url, {
        transports: [...transports],
        extraHeaders: { origin: 'http://evil.example' },
      });
      expect(typeof r, transports[0]).toBe('string');
    }
    const own = await connect(open.url, { transports: ['websocket'], extraHeaders: { origin: open.url } });
    expect(typeof own).not.toBe('string');
    (own as Socket).close();
  });

  it('needs the token, as auth.token or as an Authorization: Bearer header', async () => {
    const none = await connect(secured.url, { transports: ['websocket'] });
    expect(none).toMatch(/^unauthorized/);
    const wrong = await connect(secured.url, { transports: ['websocket'], auth: { token: 'nope' } });
    expect(wrong).toMatch(/^unauthorized/);
    const viaAuth = await connect(secured.url, { transports: ['websocket'], auth: { token: TOKEN } });
    expect(typeof viaAuth).not.toBe('string');
    (viaAuth as Socket).close();
    const viaHeader = await connect(secured.url, {
      transports: ['websocket'],
      extraHeaders: { authorization: `Bearer ${TOKEN}` },
    });
    expect(typeof viaHeader).not.toBe('string');
    (viaHeader as Socket).close();
  });

  it('lets a listed origin in with the token', async () => {
    const listed = await connect(secured.url, {
      transports: ['polling'],
      auth: { token: TOKEN },
      extraHeaders: { origin: LISTED },
    });
    expect(typeof listed).not.toBe('string');
    (listed as Socket).close();
  });
});

describe('subscriptions', () => {
  it('caps the runs one socket watches, and unknown ids cost no watching', async () => {
    const socket = (await connect(secured.url, {
      transports: ['websocket'],
      auth: { token: TOKEN },
    })) as Socket;
    try {
      const before = secured.live.feed.watchedRuns;
      for (let i = 0; i < 50; i++) {
        const r = await subscribe(socket, `nobody-made-this-${i}`);
        expect(r.ok).toBe(true);
        expect(r.data?.run).toBeNull();
      }
      expect(secured.live.feed.watchedRuns).toBe(before);
      for (let i = 0; i < 5; i++) {
        const r = await subscribe(socket, `sock${i}`);
        expect(r.ok, r.error).toBe(true);
        expect(r.data?.run).toMatchObject({ id: `sock${i}` });
      }
      const over = await subscribe(socket, 'sock5');
      expect(over.ok).toBe(false);
      expect(over.error).toMatch(/already watches 5 runs \(CHORDFLOW_MAX_SUBSCRIPTIONS\)/);
      // Resubscribing to a watched run (a reconnecting client) is not a new subscription.
      expect((await subscribe(socket, 'sock0')).ok).toBe(true);
      await new Promise((resolve) => socket.emit('run:unsubscribe', { run_id: 'sock0' }, resolve));
      expect((await subscribe(socket, 'sock5')).ok).toBe(true);
      expect(secured.live.feed.watchedRuns).toBe(before + 5);
    } finally {
      socket.close();
    }
  });
});
