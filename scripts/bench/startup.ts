/**
 * `npm run bench:startup` — CLI start-up (SPEC 4: `chordflow --help` and `validate` of a small file within
 * 3× a bare `node -e 0`). The three commands are run interleaved, 15 times each, so load changes hit
 * them alike; the figure is the median wall time of each and its ratio to the bare start. The first
 * `chordflow` call (which compiles the CLI when the sources changed) is a warm-up and not counted.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = 15;

const commands: Record<string, string[]> = {
  node_e_0: ['-e', '0'],
  help: ['bin/chordflow.js', '--help'],
  validate_small: ['bin/chordflow.js', 'validate', 'examples/tutorial.json'],
};

function once(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  const elapsed = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

once(commands.help ?? []);
const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((n) => [n, []]));
for (let k = 0; k < ROUNDS; k++) {
  for (const [name, args] of Object.entries(commands)) times[name]?.push(once(args));
}
const bare = median(times.node_e_0 ?? []);
for (const [name, ts] of Object.entries(times)) {
  const m = median(ts);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'startup',
      case: name,
      median_ms: Math.round(m),
      best_ms: Math.round(Math.min(...ts)),
      ratio_to_bare_node: Math.round((m / bare) * 100) / 100,
      ...(name === 'node_e_0' ? {} : { bar_ratio: 3 }),
      load_avg_1m: loadavg()[0],
    })}\n`,
  );
}
