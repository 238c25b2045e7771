#!/usr/bin/env node
// `npm test`: every check, cheapest first — lint, types, unit + property, integration (private Redis),
// production build, then Playwright in real Chromium against a private Redis.
import { spawn } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';

const only = process.argv[2];
const results = [];

/** Runs one step, echoing its output, and counts the tests its runner reports (Vitest, Playwright). */
async function step(name, cmd, args, env = {}) {
  if (only && only !== name) return true;
  const started = Date.now();
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, { stdio: ['inherit', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stdout.on('data', (c) => {
    process.stdout.write(c);
    text += c.toString();
  });
  child.stderr.on('data', (c) => {
    process.stderr.write(c);
    text += c.toString();
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  const ok = code === 0;
  results.push({ name, ok, seconds: ((Date.now() - started) / 1000).toFixed(1), ...countTests(text) });
  return ok;
}

/** Tests passed/failed as printed by Vitest (`Tests  3 failed | 259 passed`) or Playwright (`24 passed`). */
function countTests(output) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colours from the runners' output
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  const vitest = /^\s*Tests\s+(.*)$/m.exec(text)?.[1];
  const last = (re) => {
    const all = [...text.matchAll(re)];
    return Number(all.at(-1)?.[1] ?? 0);
  };
  // Playwright prints its counts on lines of their own ("  1 failed", "  23 passed (1.2m)").
  const passed = vitest ? Number(/(\d+) passed/.exec(vitest)?.[1] ?? 0) : last(/^\s*(\d+) passed/gm);
  const failed = vitest ? Number(/(\d+) failed/.exec(vitest)?.[1] ?? 0) : last(/^\s*(\d+) failed/gm);
  return { tests: passed + failed > 0 ? { passed, failed } : undefined };
}

/**
 * The e2e step's private redis-server: the Vitest integration project's own helper (it waits until the
 * server accepts connections, and a watchdog stops the server if this process dies first).
 */
async function withPrivateRedis(fn) {
  const { startPrivateRedis } = await tsImport('../tests/support/redisServer.ts', import.meta.url);
  const redis = await startPrivateRedis();
  try {
    return await fn(redis.url);
  } finally {
    await redis.stop();
  }
}

let ok = true;
ok = (await step('lint', 'npx', ['biome', 'check', '.'])) && ok;
ok = (await step('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])) && ok;
ok = (await step('unit', 'npx', ['vitest', 'run', '--project', 'unit'])) && ok;
ok =
  (await step('integration', 'npx', ['vitest', 'run', '--project', 'integration', '--passWithNoTests'])) &&
  ok;
if (!only || only === 'e2e' || only === 'build') ok = (await step('build', 'npx', ['next', 'build'])) && ok;
if (!only || only === 'e2e') {
  ok =
    (await withPrivateRedis((url) => step('e2e', 'npx', ['playwright', 'test'], { REDIS_URL: url }))) && ok;
}

const stepsFailed = results.filter((r) => !r.ok).length;
let testsPassed = 0;
let testsFailed = 0;
process.stdout.write('\n=== summary\n');
for (const r of results) {
  const tests = r.tests ? `  ${r.tests.passed} passed, ${r.tests.failed} failed` : '';
  process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(12)} ${r.seconds.padStart(6)}s${tests}\n`);
  testsPassed += r.tests?.passed ?? 0;
  // A failed step whose runner printed no count (lint, types, build) still counts as one failure.
  testsFailed += r.tests ? r.tests.failed : r.ok ? 0 : 1;
}
if (stepsFailed > 0 && testsFailed === 0) testsFailed = stepsFailed;
process.stdout.write(`${testsPassed} passed, ${testsFailed} failed\n`);
process.exit(ok ? 0 : 1);
