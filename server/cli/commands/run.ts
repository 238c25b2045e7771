import type { CliIO } from '../io';

/** Placeholder until its issue lands: says so clearly instead of failing obscurely. */
export async function run(_argv: string[], io: CliIO): Promise<number> {
  io.err('chordflow run: not implemented yet\n');
  return 2;
}
