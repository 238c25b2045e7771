#!/usr/bin/env node
// Entry point of the `chordflow` CLI. It runs the compiled JavaScript in dist/cli (built by `npm ci` /
// `npm install` through the `prepare` script, or here on first use after the sources changed), so a start
// costs about one bare `node` start. Freshness: every source file of the build is stat'ed (size + mtime,
// then content hash when only the mtime moved). Where dist/ cannot be written, tsx compiles on the fly.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist', 'cli');

async function isFresh(manifest) {
  let touched = false;
  for (const input of manifest.inputs) {
    const [rel, size, mtimeMs] = input;
    let st;
    try {
      st = statSync(join(root, rel));
    } catch {
      return false;
    }
    if (st.size !== size) return false;
    if (st.mtimeMs !== mtimeMs) {
      // A checkout or copy moves mtimes without changing content: compare hashes before rebuilding.
      const { hashFile } = await import('./buildCli.mjs');
      if (hashFile(join(root, rel)) !== input[3]) return false;
      input[2] = st.mtimeMs;
      touched = true;
    }
  }
  if (touched) {
    try {
      writeFileSync(join(dist, 'manifest.json'), JSON.stringify(manifest));
    } catch {
      // Read-only install: the hashes are checked again next time.
    }
  }
  return true;
}

async function loadMain() {
  if (process.env.CHORDFLOW_TSX !== '1') {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
    } catch {
      manifest = undefined;
    }
    if (manifest && (await isFresh(manifest))) {
      try {
        return await import(pathToFileURL(join(dist, manifest.build, 'main.js')).href);
      } catch (err) {
        if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
      }
    }
    try {
      const { buildCli } = await import('./buildCli.mjs');
      return await import(pathToFileURL(await buildCli(root)).href);
    } catch (err) {
      if (process.env.CHORDFLOW_DEBUG) process.stderr.write(`chordflow: compiling failed: ${err}\n`);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../server/cli/main.ts');
}

const { main } = await loadMain();
const [command] = process.argv.slice(2);
const code = await main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
// Long-running commands have closed everything they own by now; a library handle (Next's file
// watchers, a keep-alive socket) must not keep a stopped server alive after SIGTERM.
if (command === 'serve' || command === 'worker') process.exit(process.exitCode ?? 0);
