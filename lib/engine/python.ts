/**
 * Python's `repr`/`str` of JSON values and exceptions, and Python-style type names. Error messages and
 * ChordError texts must match what a Celery worker prints (`Dependency f1 raised ExpectedException(...)`).
 */
import type { Json } from '../canvas/model';
import type { TaskError } from '../protocol/events';

/** Python type name of a JSON value (`int` for integral numbers, like Python after `json.loads`). */
export function pyTypeName(value: Json | undefined): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** Python `repr` of a string: single quotes unless it holds a single quote and no double quote. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else {
      const code = ch.codePointAt(0) ?? 0;
      out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
    }
  }
  return out + quote;
}

/** Python `repr` of a float/int. */
export function pyNumberRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const s = String(n);
  // JS writes 1e+21 where Python writes 1e+21 too; JS writes 1e-7 where Python writes 1e-07.
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python `repr` of a JSON value (None/True/False, single-quoted strings, `{'k': v}` dicts). */
export function pyRepr(value: Json | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumberRepr(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  const parts = Object.entries(value).map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`);
  return `{${parts.join(', ')}}`;
}

/** Python `repr` of a tuple. */
export function pyTupleRepr(items: readonly Json[]): string {
  if (items.length === 1) return `(${pyRepr(items[0])},)`;
  return `(${items.map(pyRepr).join(', ')})`;
}

/** Python `str` of a JSON value. */
export function pyStr(value: Json | undefined): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Python `str(exc)` for `Type(*args)`: '' / str(arg) / repr(args tuple). */
export function exceptionMessage(args: readonly Json[]): string {
  if (args.length === 0) return '';
  if (args.length === 1) return pyStr(args[0]);
  return pyTupleRepr(args);
}

/** An exception `Type(*args)` as reported (message = Python `str(exc)`). */
export function pyException(type: string, ...args: Json[]): TaskError {
  return { type, message: exceptionMessage(args), args };
}

/** Python `repr(exc)`: `Type('a', 3)`; uses `args` when known, else the message as the only argument. */
export function exceptionRepr(error: TaskError): string {
  const args = error.args ?? (error.message === '' ? [] : [error.message]);
  return `${error.type}(${args.map(pyRepr).join(', ')})`;
}
