/**
 * `chordflow convert FILE --to native|canvas-json|celery-json|director-yaml|python` — reads FILE in any
 * format (`-` = stdin) and prints it in the target format. Warnings (what the target cannot hold) go to
 * stderr; a conversion the target cannot express exits 1 with the reasons.
 */
import { parseArgs } from 'node:util';
import { FORMATS, parseFormatName, writeFormat } from '@/lib/canvas/detect';
import { CLI_LIMITS, limitsFrom } from '@/lib/canvas/gate';
import { formatProblemsCapped } from '@/lib/canvas/problems';
import type { CliIO } from '../io';
import { cliRegistry } from './catalogue';
import { indent, readCanvasInput } from './readInput';

const USAGE = `Usage: chordflow convert FILE --to ${FORMATS.join('|')} [--name NAME] [--workflow project.NAME] [--tasks DIR]\n`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`chordflow convert: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(USAGE);
    return 0;
  }
  const [path, ...extra] = parsed.positionals;
  if (!path || extra.length > 0) {
    io.err(`chordflow convert: give exactly one FILE.\n${USAGE}`);
    return 2;
  }
  const to = parsed.values.to;
  if (!to) {
    io.err(`chordflow convert: say which format to write with --to (${FORMATS.join(', ')}).\n`);
    return 2;
  }
  const format = parseFormatName(to);
  if (!format) {
    io.err(`chordflow convert: unknown format "${to}"; use one of ${FORMATS.join(', ')}.\n`);
    return 2;
  }
  const input = await readCanvasInput(
    'convert',
    path,
    io,
    parsed.values.workflow ? { workflow: parsed.values.workflow } : {},
  );
  if (!input) return 1;
  // Python export writes the user's tasks as stubs with their default options: it needs the catalogue.
  const registry = format === 'python' ? await cliRegistry('convert', parsed.values.tasks, io) : undefined;
  if (registry === null) return 1;
  const { file, document } = input.result;
  const written = writeFormat(file, format, {
    ...(registry ? { catalogue: registry.catalogue } : {}),
    ...(document ? { document } : {}),
    now: new Date().toISOString(),
    limits: limitsFrom(process.env, CLI_LIMITS),
    // Canvas JSON is printed as Celery builds it (`chain` folded like `celery.chain(*nodes)`).
    composed: true,
    ...(parsed.values.name ? { name: parsed.values.name } : {}),
  });
  const warnings = [...input.warnings, ...(written.ok ? (written.warnings ?? []) : [])];
  if (!written.ok) {
    io.err(
      `chordflow convert: this canvas cannot be written as ${format}:\n${indent(formatProblemsCapped(written.problems))}\n`,
    );
    return 1;
  }
  io.out(written.value.endsWith('\n') ? written.value : `${written.value}\n`);
  if (warnings.length > 0) io.err(`${indent(formatProblemsCapped(warnings))}\n`);
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      to: { type: 'string', short: 't' },
      name: { type: 'string' },
      workflow: { type: 'string' },
      tasks: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
