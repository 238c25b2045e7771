import { parseArgs } from 'node:util';
import type { CliIO } from '../io';

/** `chordflow serve [--port N] [--dev]` — starts the web server (web + API; workers join with issue 6). */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string' }, dev: { type: 'boolean' } },
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port <= 0) {
    io.err(`chordflow serve: --port must be a positive integer, got "${values.port}"\n`);
    return 1;
  }
  const dev = values.dev ?? false;
  if (!dev) {
    const { existsSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const buildId = fileURLToPath(new URL('../../../.next/BUILD_ID', import.meta.url));
    if (!existsSync(buildId)) {
      io.err('chordflow serve: no production build found — building the web app once (next build)…\n');
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync('npx', ['next', 'build'], {
        stdio: 'inherit',
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      });
      if (r.status !== 0) return 1;
    }
  }
  const { startWebServer } = await import('../../webServer');
  const web = await startWebServer({ port, host: values.host ?? '127.0.0.1', dev });
  io.out(`Chordflow is up: ${web.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await web.close();
  return 0;
}
