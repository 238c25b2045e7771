#!/usr/bin/env node
// `npm run bench`: every benchmark in turn; each prints its figures as JSON lines on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const benches = ['startup', 'sim', 'engine', 'reliability', 'bigSubmit', 'live', 'liveSnapshot', 'editor'];
let failed = 0;
for (const name of benches) {
  if (!existsSync(`scripts/bench/${name}.ts`)) continue;
  process.stderr.write(`\n# bench:${name}\n`);
  const r = spawnSync('npx', ['tsx', `scripts/bench/${name}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
