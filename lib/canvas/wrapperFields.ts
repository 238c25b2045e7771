/**
 * The `invoke` and `config` fields of a Canvas JSON file wrapper (`{canvas, invoke?, config?}`), read
 * with a sentence for every problem.
 */
import type { CanvasConfig, InvokeArgs, Json, JsonObject } from './model';
import { kindOf } from './optionsSchema';
import { error, type Problem } from './problems';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads `value.invoke` and `value.config` (defaults when absent); problems are appended. */
export function readWrapperFields(
  value: Record<string, unknown>,
  problems: Problem[],
): { invoke: InvokeArgs; config: CanvasConfig } {
  let invoke: InvokeArgs = { args: [], kwargs: {} };
  let config: CanvasConfig = { task_allow_error_cb_on_chord_header: false };
  const inv = value.invoke;
  if (inv !== undefined) {
    if (!isObject(inv))
      problems.push(
        error('invoke', `"invoke" must be an object {"args": […], "kwargs": {…}}, not ${kindOf(inv)}.`),
      );
    else {
      if (inv.args !== undefined && !Array.isArray(inv.args))
        problems.push(error('invoke.args', `"invoke.args" must be a list, not ${kindOf(inv.args)}.`));
      if (inv.kwargs !== undefined && !isObject(inv.kwargs))
        problems.push(
          error('invoke.kwargs', `"invoke.kwargs" must be an object, not ${kindOf(inv.kwargs)}.`),
        );
      for (const key of Object.keys(inv)) {
        if (key !== 'args' && key !== 'kwargs')
          problems.push(
            error(`invoke.${key}`, `Unknown field "${key}" in "invoke"; it has "args" and "kwargs".`),
          );
      }
      invoke = {
        args: Array.isArray(inv.args) ? (inv.args as Json[]) : [],
        kwargs: isObject(inv.kwargs) ? (inv.kwargs as JsonObject) : {},
      };
    }
  }
  const cfg = value.config;
  if (cfg !== undefined) {
    if (!isObject(cfg)) problems.push(error('config', `"config" must be an object, not ${kindOf(cfg)}.`));
    else {
      for (const [key, v] of Object.entries(cfg)) {
        if (key !== 'task_allow_error_cb_on_chord_header') {
          problems.push(
            error(
              `config.${key}`,
              `Unknown config field "${key}"; the only one is "task_allow_error_cb_on_chord_header".`,
            ),
          );
        } else if (typeof v !== 'boolean') {
          problems.push(error(`config.${key}`, `"${key}" must be true or false, not ${kindOf(v)}.`));
        } else config = { task_allow_error_cb_on_chord_header: v };
      }
    }
  }
  return { invoke, config };
}
