/**
 * `chordflow validate FILE` — reads FILE in any format (`-` = stdin) and prints every problem.
 * Exit 0 when there is no error (warnings are printed too), 1 otherwise, 2 for bad usage.
 */
import { parseArgs } from 'node:util';
import type { TaskCatalogue } from '@/lib/canvas/catalogue';
import { directorRunFile } from '@/lib/canvas/directorRun';
import { readDirectorWorkflows } from '@/lib/canvas/directorWorkflows';
import { parseYamlText } from '@/lib/canvas/directorYaml';
import { normalizeFileOrProblem } from '@/lib/canvas/normalize';
import { walkNodes } from '@/lib/canvas/paths';
import { error, formatProblemsCapped, hasErrors, type Problem } from '@/lib/canvas/problems';
import { validateCanvas } from '@/lib/canvas/validate';
import type { CliIO } from '../io';
import { cliRegistry } from './catalogue';
import { indent, readCanvasInput } from './readInput';

const USAGE =
  'Usage: chordflow validate FILE [--workflow project.NAME] [--tasks DIR] [--max N]   (FILE may be - for stdin)\n' +
  '  Prints every problem, one line each; --max N prints the first N (errors first) and counts the rest.\n';

export async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`chordflow validate: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(USAGE);
    return 0;
  }
  const [path, ...extra] = parsed.positionals;
  if (!path || extra.length > 0) {
    io.err(`chordflow validate: give exactly one FILE.\n${USAGE}`);
    return 2;
  }
  const input = await readCanvasInput(
    'validate',
    path,
    io,
    parsed.values.workflow ? { workflow: parsed.values.workflow } : {},
  );
  if (!input) return 1;
  const registry = await cliRegistry('validate', parsed.values.tasks, io);
  if (!registry) return 1;
  const { file, format } = input.result;
  // SPEC 2.3: validate prints every problem (one short line each, the known tasks named once); a person
  // facing 200,000 of them asks for the first few with --max.
  const max = parsed.values.max === undefined ? Number.POSITIVE_INFINITY : Number(parsed.values.max);
  if (max !== Number.POSITIVE_INFINITY && !(Number.isInteger(max) && max >= 1)) {
    io.err(`chordflow validate: --max takes a whole number of problems, at least 1.\n${USAGE}`);
    return 2;
  }
  const list = (problems: readonly Problem[]) =>
    formatProblemsCapped(problems, max, '; without --max every one is printed');
  const name = path === '-' ? 'stdin' : path;
  if (format === 'director-yaml' && !parsed.values.workflow) {
    // A workflows.yml: every workflow, checked as director runs it (hooks and queues included).
    return validateWorkflows(name, input.text, registry.catalogue, io, list);
  }
  const director = input.result.document?.metadata.director;
  const checked = director ? directorRunFile(file, director, { workflowId: null, payload: {} }) : file;
  const problems = [...input.warnings, ...validateCanvas(checked, registry.catalogue)];
  if (!hasErrors(problems)) {
    // A submit composes the canvas as Celery does and refuses one that nests too deep: say it here too.
    const composed = normalizeFileOrProblem(checked);
    if (composed.problem !== undefined) problems.push(error('canvas', composed.problem));
  }
  if (hasErrors(problems)) {
    const count = problems.filter((p) => p.severity === 'error').length;
    io.err(`${name}: ${count} problem${count === 1 ? '' : 's'} (${format}):\n${indent(list(problems))}\n`);
    return 1;
  }
  const tasks = walkNodes(file.canvas).filter((w) => w.node.type === 'task').length;
  io.out(`${name}: valid (${format}, ${tasks} task signature${tasks === 1 ? '' : 's'})\n`);
  if (problems.length > 0) io.err(`${indent(list(problems))}\n`);
  return 0;
}

function validateWorkflows(
  name: string,
  text: string,
  catalogue: TaskCatalogue,
  io: CliIO,
  list: (problems: readonly Problem[]) => string,
): number {
  const parsed = parseYamlText(text);
  if (!parsed.ok) {
    io.err(`${name}:\n${indent(list(parsed.problems))}\n`);
    return 1;
  }
  const { workflows, problems } = readDirectorWorkflows(parsed.value, catalogue);
  const count = Object.keys(parsed.value as object).length;
  if (hasErrors(problems)) {
    const errors = problems.filter((p) => p.severity === 'error').length;
    io.err(
      `${name}: ${errors} problem${errors === 1 ? '' : 's'} in ${count - workflows.length} of ${count} workflows (director-yaml):\n${indent(list(problems))}\n`,
    );
    return 1;
  }
  io.out(
    `${name}: valid (director-yaml, ${count} workflow${count === 1 ? '' : 's'}: ${workflows.map((w) => w.fullname).join(', ')})\n`,
  );
  if (problems.length > 0) io.err(`${indent(list(problems))}\n`);
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workflow: { type: 'string' },
      tasks: { type: 'string' },
      max: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
