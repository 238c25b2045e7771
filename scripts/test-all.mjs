#!/usr/bin/env node
// `npm test`: every check, cheapest first — lint, types, unit + property, integration (private Redis),
// production build, then Playwright in real Chromium against a private Redis.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const only = process.argv[2];
const results = [];

function step(name, cmd, args, env = {}) {
  if (only && only !== name) return true;
  const started = Date.now();
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  return ok;
}

async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function withPrivateRedis(fn) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chordflow-e2e-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 300));
  try {
    return await fn(`redis://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

let ok = true;
ok = step('lint', 'npx', ['biome', 'check', '.']) && ok;
ok = step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) && ok;
ok = step('unit', 'npx', ['vitest', 'run', '--project', 'unit']) && ok;
ok = step('integration', 'npx', ['vitest', 'run', '--project', 'integration', '--passWithNoTests']) && ok;
if (!only || only === 'e2e' || only === 'build') ok = step('build', 'npx', ['next', 'build']) && ok;
if (!only || only === 'e2e') {
  ok =
    (await withPrivateRedis((url) => step('e2e', 'npx', ['playwright', 'test'], { REDIS_URL: url }))) && ok;
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
process.stdout.write('\n=== summary\n');
for (const r of results)
  process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(12)} ${r.seconds}s\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(ok ? 0 : 1);
