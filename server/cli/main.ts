/**
 * `chordflow` command dispatcher. Each command lives in its own module under ./commands and is loaded
 * lazily, so `chordflow validate` never pays for BullMQ or Next.
 */
import type { CliIO } from './io';
import { defaultIO } from './io';

type CommandModule = { run(argv: string[], io: CliIO): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  validate: {
    summary: 'validate FILE — check a canvas file, print every problem',
    load: () => import('./commands/validate'),
  },
  convert: {
    summary: 'convert FILE --to FORMAT — convert between formats',
    load: () => import('./commands/convert'),
  },
  simulate: {
    summary: 'simulate FILE [--scenario S] [--seed N] [--runs N] [--json]',
    load: () => import('./commands/simulate'),
  },
  run: {
    summary: 'run FILE [--payload JSON] [--wait] [--json] — run on the cluster',
    load: () => import('./commands/run'),
  },
  worker: {
    summary: 'worker [--concurrency N] [--queues a,b] — start a worker',
    load: () => import('./commands/worker'),
  },
  serve: {
    summary: 'serve [--port N] — web + API + workers + model service',
    load: () => import('./commands/serve'),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return `Usage: chordflow <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 1;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(`chordflow: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest, io);
  } catch (err) {
    // Last line of defence: a person gets a sentence, not a stack trace (set CHORDFLOW_DEBUG=1 for it).
    const message =
      err instanceof RangeError && /call stack/i.test(err.message)
        ? 'the input nests too deeply to process; flatten it or lower its nesting'
        : err instanceof Error
          ? err.message
          : String(err);
    io.err(`chordflow ${name}: ${message}\n`);
    if (process.env.CHORDFLOW_DEBUG) io.err(`${err instanceof Error ? err.stack : ''}\n`);
    return 1;
  }
}
