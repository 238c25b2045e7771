/** Reading a canvas file for CLI commands: any format, `-` for stdin, sentences instead of stack traces. */
import { type ReadResult, readAnyFormat } from '@/lib/canvas/detect';
import { CLI_LIMITS, limitsFrom } from '@/lib/canvas/gate';
import { formatProblemsCapped, type Problem } from '@/lib/canvas/problems';
import { type CliIO, defaultIO } from '../io';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and parses FILE (or stdin for `-`); prints problems and returns null when it cannot. */
export async function readCanvasInput(
  command: string,
  path: string,
  io: CliIO,
  opts: { workflow?: string } = {},
): Promise<{ result: ReadResult; warnings: Problem[]; text: string } | null> {
  let text: string;
  try {
    // `-` is standard input. The real process stdin may be a pipe or a socket (not openable by path), so
    // read the stream; an injected CliIO is asked for the file "-".
    text = path === '-' && io === defaultIO ? await readStdin() : await io.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : err instanceof Error
              ? err.message
              : String(err);
    io.err(`chordflow ${command}: cannot read ${path === '-' ? 'standard input' : path}: ${why}.\n`);
    return null;
  }
  const read = readAnyFormat(text, {
    now: new Date().toISOString(),
    limits: limitsFrom(process.env, CLI_LIMITS),
    ...(opts.workflow ? { workflow: opts.workflow } : {}),
  });
  if (!read.ok) {
    io.err(
      `chordflow ${command}: ${path === '-' ? 'standard input' : path} cannot be read:\n${indent(formatProblemsCapped(read.problems))}\n`,
    );
    return null;
  }
  return { result: read.value, warnings: read.warnings ?? [], text };
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
