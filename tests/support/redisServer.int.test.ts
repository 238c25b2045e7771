/**
 * The private redis-server helper's promise: a server never outlives the process that started it, even
 * one killed with SIGKILL (a bench piped into `head`, a test run killed from outside).
 */
import { execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HELPER = fileURLToPath(new URL('./redisServer.ts', import.meta.url));

/** True while something accepts TCP connections on the port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('startPrivateRedis', () => {
  it('stops the server and removes its directory when the starting process is SIGKILLed', async () => {
    // A process that starts a server, says where, and then just stays alive until it is killed.
    const code = `const { startPrivateRedis } = await import(${JSON.stringify(HELPER)});
      const r = await startPrivateRedis();
      console.log(JSON.stringify({ port: r.port, url: r.url }));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
      });
      child.once('exit', (c) => reject(new Error(`the starting process exited early (${c})`)));
    });
    const { port } = JSON.parse(line) as { port: number };
    expect(await accepting(port)).toBe(true);
    // The server's directory (redis-server works in its `--dir`).
    const pid = execSync(`pgrep -f "redis-server 127.0.0.1:${port}"`).toString().trim().split('\n')[0];
    const dir = execSync(`readlink /proc/${pid}/cwd`).toString().trim();
    expect(existsSync(dir)).toBe(true);

    child.kill('SIGKILL');

    expect(await until(async () => !(await accepting(port)), 15_000)).toBe(true);
    expect(await until(async () => !existsSync(dir), 15_000)).toBe(true);
  });
});
