/**
 * Problems found while reading or validating a canvas: every one has a path (`canvas.tasks[1].header[0]`)
 * and a sentence a person understands. Readers never throw on bad input; they return a `ParseResult`.
 */

export type Severity = 'error' | 'warning';

export interface Problem {
  /** Where the problem is, e.g. `canvas.tasks[1].header[0].options.max_retries`; `''` for the whole input. */
  path: string;
  /** What is wrong and what to do, as a sentence. */
  message: string;
  /** The `id` label of the node concerned, when it has one. */
  node_id?: string;
  severity: Severity;
}

export type ParseResult<T> =
  | { ok: true; value: T; warnings?: Problem[] }
  | { ok: false; problems: Problem[] };

/** A successful result, carrying warnings only when there are some. */
export function ok<T>(value: T, warnings: readonly Problem[] = []): ParseResult<T> {
  return warnings.length > 0 ? { ok: true, value, warnings: [...warnings] } : { ok: true, value };
}

/** A failed result. */
export function fail<T>(problems: readonly Problem[]): ParseResult<T> {
  return { ok: false, problems: [...problems] };
}

/** Builds an error problem. */
export function error(path: string, message: string, nodeId?: string): Problem {
  return nodeId === undefined
    ? { path, message, severity: 'error' }
    : { path, message, node_id: nodeId, severity: 'error' };
}

/** Builds a warning problem. */
export function warning(path: string, message: string, nodeId?: string): Problem {
  return nodeId === undefined
    ? { path, message, severity: 'warning' }
    : { path, message, node_id: nodeId, severity: 'warning' };
}

/** True when at least one problem is an error (warnings alone do not make a canvas invalid). */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** One line per problem: `path: message` (`(warning)` appended for warnings). */
export function formatProblems(problems: readonly Problem[]): string {
  return problems
    .map(
      (p) =>
        `${p.path === '' ? '(file)' : p.path}: ${p.message}${p.severity === 'warning' ? ' (warning)' : ''}`,
    )
    .join('\n');
}

/** How many problems a person is shown at once (CLI output, an API error sentence); the rest are counted. */
export const SHOWN_PROBLEMS = 20;

/**
 * The problems to show first, at most `limit`: errors before warnings (a canvas with 100,000 argument
 * warnings must not hide its one error), each kind in the order found.
 */
export function firstProblems(problems: readonly Problem[], limit = SHOWN_PROBLEMS): Problem[] {
  const out: Problem[] = [];
  for (const p of problems) if (p.severity === 'error' && out.push(p) >= limit) return out;
  for (const p of problems) if (p.severity !== 'error' && out.push(p) >= limit) return out;
  return out;
}

/**
 * `formatProblems` of the first `limit` problems (`firstProblems`), then one line counting the rest:
 * `… and 199,980 more problems (199,980 errors)` and `more` (e.g. how to list them all).
 */
export function formatProblemsCapped(
  problems: readonly Problem[],
  limit = SHOWN_PROBLEMS,
  more = '',
): string {
  if (problems.length <= limit) return formatProblems(problems);
  const shown = firstProblems(problems, limit);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const hiddenErrors = errors - shown.filter((p) => p.severity === 'error').length;
  const hiddenWarnings = problems.length - errors - shown.filter((p) => p.severity !== 'error').length;
  const kinds = [
    hiddenErrors > 0 ? plural(hiddenErrors, 'error') : '',
    hiddenWarnings > 0 ? plural(hiddenWarnings, 'warning') : '',
  ].filter((k) => k !== '');
  const rest = problems.length - shown.length;
  return `${formatProblems(shown)}\n… and ${plural(rest, 'more problem')} (${kinds.join(', ')})${more}`;
}

function plural(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}
