// Compiles the CLI (server/cli/main.ts and everything it imports from the project) to plain JavaScript
// under dist/cli/<hash>/ with esbuild, so `chordflow` starts without compiling TypeScript. Run by the
// root `prepare` script (npm ci / npm install) and, when the sources changed since, by bin/chordflow.js
// on first use. Runtime packages with native parts or their own loaders stay external; small pure ones
// (zod, yaml) are bundled because resolving their many module files costs more than parsing one chunk.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXTERNAL = [
  'bullmq',
  'ioredis',
  'next',
  'react',
  'react-dom',
  'socket.io',
  'socket.io-client',
  'pino',
  'prom-client',
  'ajv',
  'esbuild',
  'tsx',
];

/** Where the launcher looks: dist/cli/manifest.json names the current build and its source files. */
export function cliDist(root) {
  return join(root, 'dist', 'cli');
}

/** Content hash of one source file. */
export function hashFile(path) {
  return createHash('sha1').update(readFileSync(path)).digest('hex');
}

/**
 * Builds the CLI into a fresh directory, then points the manifest at it with an atomic rename, so
 * concurrent first uses (test workers, Playwright's web server) never see a half-written build.
 * Returns the path of the build's main.js.
 */
export async function buildCli(root) {
  const esbuild = await import('esbuild');
  const dist = cliDist(root);
  mkdirSync(dist, { recursive: true });
  const tmp = join(dist, `tmp-${process.pid}-${Date.now()}`);
  const result = await esbuild.build({
    absWorkingDir: root,
    // submitThread: the worker thread that plans and stores submitted canvases (server/cluster/offThreadSubmit.ts).
    entryPoints: { main: 'server/cli/main.ts', submitThread: 'server/cluster/submitThread.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    outdir: tmp,
    // Smaller chunks parse faster at start-up; names are kept for readable stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    metafile: true,
    logLevel: 'silent',
    // Bundled CommonJS packages (yaml) call require() for node built-ins.
    banner: {
      js: "import { createRequire as __cfRequire } from 'node:module'; const require = __cfRequire(import.meta.url);",
    },
  });
  // The build's own recipe is an input too: changing the options must give a new build.
  const inputs = [...Object.keys(result.metafile.inputs), 'bin/buildCli.mjs']
    .filter((p) => !p.includes('node_modules/'))
    .sort()
    .map((rel) => {
      const st = statSync(join(root, rel));
      return [rel, st.size, st.mtimeMs, hashFile(join(root, rel))];
    });
  const build = createHash('sha1')
    .update(inputs.map((i) => `${i[0]}:${i[3]}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const out = join(dist, build);
  try {
    renameSync(tmp, out);
  } catch {
    // Another process built the same sources first: its output is identical.
    rmSync(tmp, { recursive: true, force: true });
  }
  const manifestTmp = join(dist, `manifest.${process.pid}.tmp`);
  writeFileSync(manifestTmp, JSON.stringify({ build, inputs }));
  renameSync(manifestTmp, join(dist, 'manifest.json'));
  pruneOldBuilds(dist, build);
  return join(out, 'main.js');
}

/** Removes builds older than an hour (a running process may still load lazy chunks of a recent one). */
function pruneOldBuilds(dist, keep) {
  const hour = 3600_000;
  for (const name of readdirSync(dist)) {
    if (name === keep || name === 'manifest.json') continue;
    const path = join(dist, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > hour) rmSync(path, { recursive: true, force: true });
    } catch {
      // Already gone.
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const t0 = performance.now();
  const main = await buildCli(root);
  process.stderr.write(`chordflow: CLI compiled to ${main} in ${Math.round(performance.now() - t0)} ms\n`);
}
