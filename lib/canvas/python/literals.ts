/** JSON values and keyword arguments written as Python source (an exported module's literals). */
import type { Json } from '../model';
import { PY_KEYWORDS } from './names';

/** A JSON value as a Python literal. */
export function pyLiteral(value: Json | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    // JSON.stringify(Infinity) is "null": never let a number change meaning (the gate refuses them).
    if (!Number.isFinite(value)) throw new Error(`${value} cannot be written as a Python literal.`);
    return Number.isInteger(value) ? String(value) : JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${pyLiteral(v)}`)
    .join(', ')}}`;
}

/**
 * Call arguments for `[key, python text]` pairs: identifiers become keyword arguments, any other key
 * (a Python keyword, `not-an-identifier`) goes through one trailing `**{...}`.
 */
export function kwargsCall(entries: Array<[string, string]>): string[] {
  const out: string[] = [];
  const odd: string[] = [];
  // One pass (a hostile task may carry a great many kwargs).
  for (const [k, v] of entries) {
    if (/^[A-Za-z_]\w*$/.test(k) && !PY_KEYWORDS.has(k)) out.push(`${k}=${v}`);
    else odd.push(`${JSON.stringify(k)}: ${v}`);
  }
  if (odd.length > 0) out.push(`**{${odd.join(', ')}}`);
  return out;
}
