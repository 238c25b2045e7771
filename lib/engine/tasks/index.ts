/**
 * `executeTask`: the single entry point both interpreters call to run one attempt of a registered
 * built-in or tutorial task. Synchronous and pure; IO comes back as an effect to perform.
 */
import type { CatalogueEntry } from '../../canvas/catalogue';
import type { Json, JsonObject } from '../../canvas/model';
import { pyException } from '../python';
import type { TaskRequest, TaskResult } from '../types';
import { bindArgs, Raise } from './bind';
import { BUILTIN_IMPLS, type TaskImpl } from './builtins';
import { mapImpls } from './map';
import { TUTORIAL_IMPLS } from './tutorial';

// A Map: the name comes from the canvas, and `IMPLS['constructor']` on an object would find Object.
const IMPLS = new Map<string, TaskImpl>([
  ...Object.entries(BUILTIN_IMPLS),
  ...Object.entries(TUTORIAL_IMPLS),
]);
// Celery's map/starmap call their inner task in process, through the same entry point.
for (const [name, impl] of Object.entries(mapImpls((_name, request) => executeTask(undefined, request))))
  IMPLS.set(name, impl);

/** True when the engine has an implementation for `name`. */
export function hasImplementation(name: string): boolean {
  return IMPLS.has(name);
}

/** Wraps a continuation so exceptions raised after an effect also become error outcomes. */
function guard(run: () => TaskResult): TaskResult {
  try {
    return guardEffect(run());
  } catch (err) {
    return raised(err);
  }
}

/** An effect's continuation guarded like the attempt itself (an outcome passes as it is). */
function guardEffect(result: TaskResult): TaskResult {
  if (result.kind !== 'effect') return result;
  if (result.effect === 'sleep') {
    const then = result.then;
    // biome-ignore lint/suspicious/noThenProperty: effects are never awaited; `then` continues the task.
    return { ...result, then: () => guard(then) };
  }
  const then = result.then;
  // biome-ignore lint/suspicious/noThenProperty: effects are never awaited; `then` continues the task.
  return { ...result, then: (response) => guard(() => then(response)) };
}

/** The error outcome of an exception a task raised. */
function raised(err: unknown): TaskResult {
  if (err instanceof Raise) return { kind: 'error', error: err.error };
  // A bug in an implementation must not crash an interpreter: report it like Python would.
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'error', error: pyException('RuntimeError', message) };
}

/**
 * Runs one attempt of task `request.name` (the catalogue `entry` is informational: implementations
 * carry their own Python signature). Unknown names fail with `NotRegistered`.
 */
export function executeTask(entry: CatalogueEntry | undefined, request: TaskRequest): TaskResult {
  const name = entry?.name ?? request.name;
  const impl = IMPLS.get(name);
  if (impl === undefined) {
    return { kind: 'error', error: pyException('NotRegistered', `'${name}'`) };
  }
  const direct = directOutcome(impl, request.args, request.kwargs);
  if (direct !== undefined) return direct;
  // `guard` inlined: no closure per attempt.
  try {
    return guardEffect(impl.run(bindArgs(name, impl.params, request.args, request.kwargs), request));
  } catch (err) {
    return raised(err);
  }
}

/**
 * The outcome of a pure one-line built-in (`TaskImpl.direct`) called with exactly its positional
 * arguments and no keywords — what `executeTask` would answer, without a request, a binding or an
 * effect — or `undefined` when the call is not that (then use `executeTask`). An interpreter may call it
 * first to run the common no-op/arith tasks of a big canvas cheaply.
 */
export function directTask(name: string, args: readonly Json[], kwargs: JsonObject): TaskResult | undefined {
  const impl = IMPLS.get(name);
  return impl === undefined ? undefined : directOutcome(impl, args, kwargs);
}

let lastName: string | undefined;
let lastImpl: TaskImpl | undefined;

/** A success outcome an interpreter refills (`directTaskInto`). */
export type SuccessSlot = { kind: 'success'; value: Json };

/**
 * `directTask`, a success written into `into` (returned) instead of a new outcome per attempt: for an
 * interpreter that keeps one such object per worker slot (the core reads an outcome only while its
 * transition runs, lib/engine/CONTEXT.md). A raised error is a new outcome, as in `directTask`.
 */
export function directTaskInto(
  name: string,
  args: readonly Json[],
  kwargs: JsonObject,
  into: SuccessSlot,
): TaskResult | undefined {
  // The name asked last (a big canvas runs the same task many times in a row): no map lookup.
  let impl: TaskImpl | undefined;
  if (name === lastName) impl = lastImpl;
  else {
    impl = IMPLS.get(name);
    lastName = name;
    lastImpl = impl;
  }
  if (impl === undefined) return undefined;
  const direct = impl.direct;
  if (direct === undefined || args.length !== impl.params.length) return undefined;
  for (const _ in kwargs) return undefined;
  try {
    into.value = direct(args);
    return into;
  } catch (err) {
    return raised(err);
  }
}

function directOutcome(impl: TaskImpl, args: readonly Json[], kwargs: JsonObject): TaskResult | undefined {
  const direct = impl.direct;
  if (direct === undefined || args.length !== impl.params.length) return undefined;
  for (const _ in kwargs) return undefined;
  try {
    return { kind: 'success', value: direct(args) };
  } catch (err) {
    return raised(err);
  }
}

export { mockResult, modelRequestFrom, modelServiceCall } from './modelService';
export { modelRequestId, SCENARIO_CONFIG, TUTORIAL_SCENARIOS } from './tutorial';
