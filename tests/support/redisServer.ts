/**
 * Starts a private `redis-server` on a free loopback port, so tests never touch anybody else's data.
 * Used by the Vitest integration project, `npm test`'s end-to-end step and the benches.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** SIGKILL (no shutdown save): what a crash looks like; with AOF the data survives. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrivateRedis(
  options: { appendonly?: boolean; port?: number; dir?: string } = {},
): Promise<PrivateRedis> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'chordflow-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendonly ? 'yes' : 'no',
    '--maxmemory-policy',
    'noeviction',
  ];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const watchdog = watchOver(child, options.dir ? undefined : dir);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    };
    child.stdout?.on('data', onData);
    child.on('error', (err) => reject(new Error(`could not start redis-server: ${err.message}`)));
    child.on('exit', (code) => reject(new Error(`redis-server exited early (code ${code}): ${out}`)));
  }).catch((err: unknown) => {
    watchdog.kill('SIGKILL');
    throw err;
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      // The watchdog first: once this redis-server is gone its pid may be another process's.
      watchdog.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
    kill() {
      watchdog.kill('SIGKILL');
      child.kill('SIGKILL');
      return new Promise((r) =>
        child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
      );
    },
  };
}

/**
 * A redis-server must not outlive the process that started it, however that process ends: a bench
 * piped into `head` (SIGPIPE) or a killed test run used to leave its server running, port and memory
 * held. A `sh` holds the read end of a pipe from this process; when this process is gone, for any
 * reason, the pipe closes, and the shell stops the server and removes its directory (when it made it).
 * Neither handle keeps this process's event loop alive.
 */
function watchOver(redis: ChildProcess, ownDir: string | undefined): ChildProcess {
  const script =
    'cat > /dev/null; kill -TERM "$1" 2>/dev/null; ' +
    'while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; [ -n "$2" ] && rm -rf -- "$2"';
  const watchdog = spawn('sh', ['-c', script, 'chordflow-redis-watchdog', String(redis.pid), ownDir ?? ''], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => {});
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}
