/**
 * Celery's apply-time argument check (`Task.typing`, on by default): when a signature is applied, its
 * arguments are bound against the task function's signature *before* the message is sent, and a
 * mismatch raises `TypeError` in whoever applied it (the caller for the top-level canvas, the worker
 * for a chain step, a callback or a chord body). Not in celery-semantics.md; verified against real
 * Celery by tests/conformance.
 *
 * The messages are CPython 3.11's, in CPython's order of checks: unexpected / duplicate keyword first,
 * then too many positional arguments, then missing positional, then missing keyword-only.
 */
import type { TaskParam } from '../canvas/catalogue';
import type { Json } from '../canvas/model';
import type { TaskError } from '../protocol/events';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Python's list of names in an error: 'a' / 'a' and 'b' / 'a', 'b', and 'c'. */
function nameList(names: string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  if (quoted.length <= 1) return quoted.join('');
  if (quoted.length === 2) return `${quoted[0]} and ${quoted[1]}`;
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

function typeError(message: string): TaskError {
  return { type: 'TypeError', message, args: [message] };
}

/** What a positional-only call needs to know of a parameter list (computed once per list). */
interface Shape {
  /** Positional parameters (an argument beyond them binds only with `*args`). */
  positional: number;
  hasVarargs: boolean;
  /** One past the last positional parameter without a default: fewer arguments leave one missing. */
  required: number;
  /** Keyword-only parameters without a default (then a call without keywords fails). */
  requiredKeywordOnly: boolean;
}

const SHAPES = new WeakMap<readonly TaskParam[], Shape>();

function shapeOf(params: readonly TaskParam[]): Shape {
  let shape = SHAPES.get(params);
  if (shape === undefined) {
    let positional = 0;
    let required = 0;
    for (const p of params)
      if (p.kind === 'positional') {
        positional += 1;
        if (!('default' in p)) required = positional;
      }
    shape = {
      positional,
      hasVarargs: params.some((p) => p.kind === 'varargs'),
      required,
      requiredKeywordOnly: params.some((p) => p.kind === 'keyword' && !('default' in p)),
    };
    SHAPES.set(params, shape);
  }
  return shape;
}

/** True when a call with `count` positional arguments and no keyword arguments binds (no TypeError). */
/**
 * True when a call with `count` positional arguments and `kwargs` binds by the parameter list's shape
 * alone (the fast path of `checkArguments`; false says nothing: check in full).
 */
export function bindsPositionally(
  params: readonly TaskParam[],
  count: number,
  kwargs: Readonly<Record<string, Json>>,
): boolean {
  for (const _ in kwargs) return false;
  const shape = shapeOf(params);
  return (
    (shape.hasVarargs || count <= shape.positional) && count >= shape.required && !shape.requiredKeywordOnly
  );
}

/**
 * Binds `args`/`kwargs` to a task's parameters like a Python call would.
 *
 * @param name the task function's name (used in the message, e.g. `add()`)
 * @param params the catalogue's parameter list (without `self` for bound tasks)
 * @returns `null` when the call binds, else the `TypeError` Python would raise
 * @example checkArguments('add', addParams, [1], {}) // TypeError "add() missing 1 required positional argument: 'y'"
 */
export function checkArguments(
  name: string,
  params: readonly TaskParam[],
  args: readonly Json[],
  kwargs: Readonly<Record<string, Json>>,
): TaskError | null {
  // Most calls pass positional arguments only and bind: decided from the parameter list's shape alone
  // (every task of a big canvas is checked at plan time, every continuation when it is sent).
  if (bindsPositionally(params, args.length, kwargs)) return null;
  return checkArgumentsInFull(name, params, args, kwargs);
}

/** `checkArguments` without its fast path: CPython's checks in order (exported for its property test). */
export function checkArgumentsInFull(
  name: string,
  params: readonly TaskParam[],
  args: readonly Json[],
  kwargs: Readonly<Record<string, Json>>,
): TaskError | null {
  const positional = params.filter((p) => p.kind === 'positional');
  const keywordOnly = params.filter((p) => p.kind === 'keyword');
  const hasVarargs = params.some((p) => p.kind === 'varargs');
  const fn = `${name}()`;

  const boundPositional = Math.min(args.length, positional.length);
  for (const key of Object.keys(kwargs)) {
    const index = positional.findIndex((p) => p.name === key);
    if (index < 0 && !keywordOnly.some((p) => p.name === key))
      return typeError(`${fn} got an unexpected keyword argument '${key}'`);
    if (index >= 0 && index < boundPositional)
      return typeError(`${fn} got multiple values for argument '${key}'`);
  }

  if (!hasVarargs && args.length > positional.length) {
    const required = positional.filter((p) => !('default' in p)).length;
    const takes =
      required === positional.length
        ? plural(positional.length, 'positional argument')
        : `from ${required} to ${positional.length} positional arguments`;
    const kwOnlyGiven = keywordOnly.filter((p) => p.name in kwargs).length;
    const given =
      kwOnlyGiven > 0
        ? `${plural(args.length, 'positional argument')} (and ${plural(kwOnlyGiven, 'keyword-only argument')}) were given`
        : `${args.length} ${args.length === 1 ? 'was' : 'were'} given`;
    return typeError(`${fn} takes ${takes} but ${given}`);
  }

  const missing = positional
    .slice(args.length)
    .filter((p) => !('default' in p) && !(p.name in kwargs))
    .map((p) => p.name);
  if (missing.length > 0)
    return typeError(
      `${fn} missing ${plural(missing.length, 'required positional argument')}: ${nameList(missing)}`,
    );

  const missingKw = keywordOnly.filter((p) => !('default' in p) && !(p.name in kwargs)).map((p) => p.name);
  if (missingKw.length > 0)
    return typeError(
      `${fn} missing ${plural(missingKw.length, 'required keyword-only argument')}: ${nameList(missingKw)}`,
    );
  return null;
}
