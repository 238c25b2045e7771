/**
 * Python argument binding for task implementations, with Python's exact TypeError messages
 * (`add() missing 1 required positional argument: 'y'`), so a mis-wired canvas fails like Celery would.
 */
import type { Json, JsonObject } from '../../canvas/model';
import { putOwn } from '../../canvas/ownKeys';
import type { TaskError } from '../../protocol/events';
import { pyException } from '../python';

export interface Param {
  name: string;
  /** `positional` = positional-or-keyword, `varargs` = `*args`, `keyword` = keyword-only, `varkw` = `**kwargs`. */
  kind: 'positional' | 'varargs' | 'keyword' | 'varkw';
  /** Present when optional. */
  default?: Json;
}

// Shared empties of the fast path; implementations only read them.
const NO_ARGS: Json[] = [];
const NO_KWARGS: JsonObject = {};

export interface Bound {
  /** Bound values by parameter name (positional-or-keyword and keyword-only parameters). */
  readonly values: Record<string, Json>;
  varargs: Json[];
  varkw: JsonObject;
  /** `values[name]` (without building `values` on the fast path). */
  get(name: string): Json | undefined;
}

/** A call binding by position exactly (the fast path): `values` is only built if asked for. */
class PositionalBound implements Bound {
  readonly varargs = NO_ARGS;
  readonly varkw = NO_KWARGS;
  private built: Record<string, Json> | undefined;

  constructor(
    private readonly params: readonly Param[],
    private readonly args: readonly Json[],
  ) {}

  get values(): Record<string, Json> {
    if (this.built === undefined) {
      const values: Record<string, Json> = {};
      for (let i = 0; i < this.args.length; i++)
        values[(this.params[i] as Param).name] = this.args[i] as Json;
      this.built = values;
    }
    return this.built;
  }

  get(name: string): Json | undefined {
    const params = this.params;
    for (let i = 0; i < params.length; i++) if ((params[i] as Param).name === name) return this.args[i];
    return this.values[name];
  }
}

/** A binding worked out in full. */
class FullBound implements Bound {
  constructor(
    readonly values: Record<string, Json>,
    readonly varargs: Json[],
    readonly varkw: JsonObject,
  ) {}

  get(name: string): Json | undefined {
    return this.values[name];
  }
}

/** An exception raised by a task implementation (caught by `executeTask`). */
export class Raise extends Error {
  constructor(readonly error: TaskError) {
    super(error.message);
  }
}

/** Raises `Type(*args)`. */
export function raise(type: string, ...args: Json[]): never {
  throw new Raise(pyException(type, ...args));
}

function quoteList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length === 1) return q[0] as string;
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** True when every parameter is positional-or-keyword (a loop over a few items: cheaper than a cache). */
function allPositional(params: readonly Param[]): boolean {
  for (let i = 0; i < params.length; i++) if ((params[i] as Param).kind !== 'positional') return false;
  return true;
}

function isEmpty(o: JsonObject): boolean {
  for (const _ in o) return false;
  return true;
}

/** Binds call arguments to parameters like Python; raises TypeError with Python's message. */
export function bindArgs(
  fname: string,
  params: readonly Param[],
  args: readonly Json[],
  kwargs: JsonObject,
): Bound {
  // Fast path: exactly the positional parameters, no keywords (the common case in big canvases).
  if (args.length === params.length && isEmpty(kwargs) && allPositional(params)) {
    return new PositionalBound(params, args);
  }
  const positional = params.filter((p) => p.kind === 'positional');
  const hasVarargs = params.some((p) => p.kind === 'varargs');
  const hasVarkw = params.some((p) => p.kind === 'varkw');
  const values: Record<string, Json> = {};
  const varargs: Json[] = [];
  const varkw: JsonObject = {};
  args.forEach((value, i) => {
    const p = positional[i];
    if (p !== undefined) values[p.name] = value;
    else varargs.push(value);
  });
  if (!hasVarargs && varargs.length > 0) {
    const required = positional.filter((p) => !('default' in p)).length;
    const takes =
      required === positional.length
        ? `${positional.length} positional argument${positional.length === 1 ? '' : 's'}`
        : `from ${required} to ${positional.length} positional arguments`;
    const given = args.length;
    raise('TypeError', `${fname}() takes ${takes} but ${given} ${given === 1 ? 'was' : 'were'} given`);
  }
  for (const [key, value] of Object.entries(kwargs)) {
    const p = params.find((x) => x.name === key && (x.kind === 'positional' || x.kind === 'keyword'));
    if (p === undefined) {
      if (!hasVarkw) raise('TypeError', `${fname}() got an unexpected keyword argument '${key}'`);
      putOwn(varkw, key, value);
      continue;
    }
    if (Object.hasOwn(values, key))
      raise('TypeError', `${fname}() got multiple values for argument '${key}'`);
    values[key] = value;
  }
  const missing = positional
    .filter((p) => !Object.hasOwn(values, p.name) && !('default' in p))
    .map((p) => p.name);
  if (missing.length > 0) {
    raise(
      'TypeError',
      `${fname}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${quoteList(missing)}`,
    );
  }
  const missingKw = params
    .filter((p) => p.kind === 'keyword' && !Object.hasOwn(values, p.name) && !('default' in p))
    .map((p) => p.name);
  if (missingKw.length > 0) {
    raise(
      'TypeError',
      `${fname}() missing ${missingKw.length} required keyword-only argument${missingKw.length === 1 ? '' : 's'}: ${quoteList(missingKw)}`,
    );
  }
  for (const p of params) {
    if (
      (p.kind === 'positional' || p.kind === 'keyword') &&
      !Object.hasOwn(values, p.name) &&
      'default' in p
    ) {
      values[p.name] = p.default as Json;
    }
  }
  return new FullBound(values, varargs, varkw);
}
