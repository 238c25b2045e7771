/**
 * Importing a user's TypeScript task module from the compiled CLI, which runs plain Node (no `.ts`
 * loader). The module is compiled once with esbuild into dist/tasks/ (keyed by its path, rebuilt when
 * any of its source files changes size or mtime) and the JavaScript is imported: registering tsx at every
 * start would cost several times a bare `node` start. Its own relative imports are bundled; package
 * imports stay external and are resolved from the module's directory, as tsx would resolve them.
 * Where dist/ cannot be written, tsx's loader is registered instead.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../projectRoot';

type Module = Record<string, unknown>;
type Manifest = { out: string; inputs: Array<[string, number, number]> };

function fresh(manifest: Manifest): boolean {
  for (const [path, size, mtimeMs] of manifest.inputs) {
    try {
      const st = statSync(path);
      if (st.size !== size || st.mtimeMs !== mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function compile(path: string, dir: string, key: string): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'packages-from-source-dir',
        setup(build) {
          // Bare specifiers (packages) stay imports, but by absolute path: the compiled file lives in
          // dist/tasks/, where the user's node_modules would not be found.
          build.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.path.startsWith('node:') || args.pluginData === 'inner') return undefined;
            const r = await build.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              pluginData: 'inner',
            });
            if (r.errors.length > 0 || !r.path) return { path: args.path, external: true };
            return { path: pathToFileURL(r.path).href, external: true };
          });
        },
      },
    ],
  });
  const code = result.outputFiles[0]?.text ?? '';
  const inputs: Manifest['inputs'] = Object.keys(result.metafile.inputs)
    .map((p) => (p.startsWith('/') ? p : join(process.cwd(), p)))
    .map((p) => {
      const st = statSync(p);
      return [p, st.size, st.mtimeMs];
    });
  const hash = createHash('sha1').update(code).digest('hex').slice(0, 12);
  const out = join(dir, `${key}-${hash}.mjs`);
  writeFileSync(`${out}.${process.pid}.tmp`, code);
  renameSync(`${out}.${process.pid}.tmp`, out);
  const manifestPath = join(dir, `${key}.json`);
  writeFileSync(`${manifestPath}.${process.pid}.tmp`, JSON.stringify({ out, inputs } satisfies Manifest));
  renameSync(`${manifestPath}.${process.pid}.tmp`, manifestPath);
  return out;
}

let tsxLoader: Promise<void> | undefined;

async function viaTsx(url: string): Promise<Module> {
  tsxLoader ??= import('tsx/esm/api').then((tsx) => {
    tsx.register();
  });
  await tsxLoader;
  // Node remembers the failed load of `url`: a query string makes it a new module for the loader.
  return (await import(`${url}?ts`)) as Module;
}

/** Imports `path` (absolute); a TypeScript file is compiled (cached) when Node cannot load it itself. */
export async function importTaskModule(path: string): Promise<Module> {
  const url = pathToFileURL(path).href;
  try {
    return (await import(url)) as Module;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  }
  const out = await compiledOut(path).catch(() => undefined);
  if (out === undefined) return viaTsx(url);
  return (await import(pathToFileURL(out).href)) as Module;
}

/**
 * A URL plain Node can import for the module at `path` (a JavaScript file itself, else its cached
 * compiled copy); undefined when it cannot be compiled. Worker threads that run tasks load it.
 */
export async function taskModuleUrl(path: string): Promise<string | undefined> {
  if (/\.(m?js|cjs)$/.test(path)) return pathToFileURL(path).href;
  const out = await compiledOut(path).catch(() => undefined);
  return out === undefined ? undefined : pathToFileURL(out).href;
}

async function compiledOut(path: string): Promise<string> {
  const dir = join(projectRoot(), 'dist', 'tasks');
  const key = createHash('sha1').update(path).digest('hex').slice(0, 16);
  try {
    const manifest = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Manifest;
    if (fresh(manifest)) return manifest.out;
  } catch {
    // not compiled yet
  }
  mkdirSync(dir, { recursive: true });
  return compile(path, dir, key);
}
