/**
 * `argsrepr` / `kwargsrepr` headers: Python's repr of the call's args tuple and kwargs dict, as Celery's
 * `AMQP.as_task_v2` writes them (`saferepr`, cut to `argsrepr_maxsize` = 1024 characters).
 */
import type { Json, JsonObject } from '../canvas/model';
import { pyRepr, pyTupleRepr } from '../engine/python';

const MAXSIZE = 1024;

function cut(s: string): string {
  return s.length <= MAXSIZE ? s : `${s.slice(0, MAXSIZE - 3)}...`;
}

/** Header `argsrepr`: repr of the args tuple. */
export function argsRepr(args: readonly Json[]): string {
  return cut(pyTupleRepr(args));
}

/** Header `kwargsrepr`: repr of the kwargs dict. */
export function kwargsRepr(kwargs: JsonObject): string {
  return cut(pyRepr(kwargs));
}
