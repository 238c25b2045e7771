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
