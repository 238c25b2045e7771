/**
 * Finds a Redis for `serve`: REDIS_URL if it answers; else a local `redis-server` (AOF everysec in
 * ./data/redis) when one is installed; else none — the editor and simulator still work and the API
 * answers run requests with 503.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRedisReachable } from './connection';

export type RedisAvailability =
  | { kind: 'external'; url: string }
  | { kind: 'local'; url: string; stop(): Promise<void> }
  | { kind: 'none'; reason: string };

export const REDIS_UNAVAILABLE = 'Redis is not available: set REDIS_URL or install redis-server.';

function redisServerInstalled(): boolean {
  const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

export async function ensureRedis(options: {
  url: string;
  explicit: boolean;
  dataDir?: string;
  localPort?: number;
}): Promise<RedisAvailability> {
  if (await isRedisReachable(options.url)) return { kind: 'external', url: options.url };
  if (options.explicit) {
    return { kind: 'none', reason: `Redis at ${options.url} does not answer. ${REDIS_UNAVAILABLE}` };
  }
  if (!redisServerInstalled()) return { kind: 'none', reason: REDIS_UNAVAILABLE };
  const dir = resolve(options.dataDir ?? './data/redis');
  mkdirSync(dir, { recursive: true });
  const port = options.localPort ?? Number(new URL(options.url).port || 6379);
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const ready = await new Promise<boolean>((done) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) done(true);
    });
    child.once('exit', () => done(false));
    child.once('error', () => done(false));
  });
  if (!ready)
    return { kind: 'none', reason: `redis-server could not start on port ${port}. ${REDIS_UNAVAILABLE}` };
  const url = `redis://127.0.0.1:${port}`;
  return {
    kind: 'local',
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
