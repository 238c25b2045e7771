/**
 * Redis that comes and goes, with real processes: `chordflow serve --no-web` (and its worker child
 * processes) started before Redis exists, then a Redis restart in the middle; a worker started alone
 * before Redis. Each time the API says why it cannot serve, in a sentence, and everything resumes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type PrivateRedis, startPrivateRedis } from '../../tests/support/redisServer';

const bin = fileURLToPath(new URL('../../bin/chordflow.js', import.meta.url));
const owned: ChildProcess[] = [];
const redises: PrivateRedis[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of owned.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    }
  }
  for (const r of redises.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 600; i++) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what} (${String(last)})`);
}

function start(args: string[], env: Record<string, string>): { child: ChildProcess; err: () => string } {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  owned.push(child);
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  child.stdout?.resume();
  return { child, err: () => err };
}

async function json(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, init);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('Redis that comes and goes', () => {
  it('serve starts without Redis, comes up when it appears and rides out a restart', async () => {
    const redisPort = await freePort();
    const apiPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'chordflow-outage-'));
    dirs.push(dir);
    const url = `redis://127.0.0.1:${redisPort}`;
    const base = `http://127.0.0.1:${apiPort}`;
    const serve = start(['serve', '--no-web', '--port', String(apiPort)], {
      REDIS_URL: url,
      CHORDFLOW_PREFIX: '{outage}',
      MODEL_SERVICE_PORT: '0',
      CHORDFLOW_WORKER_CONCURRENCY: '4',
    });
    const sentence = `Redis at ${url} is not answering; runs resume when it is back.`;
    const down = await until('the API', () => json(`${base}/api/health`));
    expect(down.body).toMatchObject({ status: 'degraded', redis: 'down', message: sentence });
    const refused = await json(`${base}/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ canvas: { task: 'identity', args: [1] } }),
    });
    expect(refused).toEqual({ status: 503, body: { error: sentence } });

    // Redis appears (with AOF, so a restart keeps the runs): the server and its worker process come up.
    const first = await startPrivateRedis({ port: redisPort, dir, appendonly: true });
    redises.push(first);
    const up = await until('a live worker', async () => {
      const h = await json(`${base}/api/health`);
      return (h.body.workers as { count: number }).count > 0 ? h : undefined;
    });
    expect(up.body).toMatchObject({ status: 'ok', redis: 'ok' });
    const submit = () =>
      json(`${base}/api/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          canvas: {
            chain: [
              { task: 'add', args: [1, 2] },
              { task: 'add', args: [3] },
            ],
          },
        }),
      });
    const run1 = await submit();
    expect(run1.status).toBe(201);
    await until('run 1 to succeed', async () => {
      const r = await json(`${base}/api/workflows/${run1.body.id}`);
      return r.body.status === 'success' ? true : undefined;
    });

    // Redis restarts: a clear degraded state, then everything resumes and the first run is still there.
    await first.stop();
    redises.length = 0;
    const during = await until('the degraded state', async () => {
      const h = await json(`${base}/api/health`);
      return h.body.redis === 'down' ? h : undefined;
    });
    expect(during.body).toMatchObject({ status: 'degraded', message: sentence });
    // Long enough for several reconnection attempts of every connection, each of which must stay quiet.
    await new Promise((r) => setTimeout(r, 3000));
    const again = await startPrivateRedis({ port: redisPort, dir, appendonly: true });
    redises.push(again);
    const run2 = await until('a submit after the restart', async () => {
      const r = await submit();
      return r.status === 201 ? r : undefined;
    });
    await until('run 2 to succeed', async () => {
      const r = await json(`${base}/api/workflows/${run2.body.id}`);
      return r.body.status === 'success' ? true : undefined;
    });
    expect((await json(`${base}/api/workflows/${run1.body.id}`)).body.status).toBe('success');

    // One line per state change, not one per reconnection attempt; no client-library internals.
    const log = serve.err();
    expect(log.split('\n').filter((l) => l.includes('is not answering')).length).toBeLessThanOrEqual(6);
    expect(log).not.toContain('Unhandled error event');
    expect(log).not.toContain('max retries per request');
    expect(log).not.toContain('ECONNREFUSED');
  });

  it('a worker started before Redis waits for it, then runs tasks', async () => {
    const redisPort = await freePort();
    const url = `redis://127.0.0.1:${redisPort}`;
    const worker = start(['worker'], { REDIS_URL: url, CHORDFLOW_PREFIX: '{early}' });
    await until('the waiting line', async () =>
      worker.err().includes('is not answering') ? true : undefined,
    );
    const redis = await startPrivateRedis({ port: redisPort });
    redises.push(redis);
    const { startStack } = await import('../cluster/stack');
    const { loadConfig } = await import('../config');
    const config = { ...loadConfig({ ...process.env, REDIS_URL: url, CHORDFLOW_PREFIX: '{early}' }) };
    const stack = await startStack({ config, startLocalRedis: false, startModelService: false, workers: 0 });
    try {
      const client = stack.client!;
      const rec = await client.submit({ file: client.parseCanvas({ task: 'add', args: [2, 3] }) });
      const done = await client.waitFinished(rec.id, 60_000);
      expect(done?.status).toBe('success');
    } finally {
      await stack.close(0);
    }
  });
});
