/** JSON values and keyword arguments written as Python source (an exported module's literals). */
import type { Json } from '../model';
import { PY_KEYWORDS } from './names';

/**
 * Deepest value written as a literal. Python's parser refuses about 200 nested brackets in one
 * expression (the canvas around a value adds a few), and the gate lets argument values nest deeper.
 */
export const MAX_LITERAL_DEPTH = 64;

/**
 * A JSON value as Python source: a literal, or `json.loads("…")` of its JSON text when it nests deeper
 * than `MAX_LITERAL_DEPTH` (the exported module imports `json`; the name is reserved for it).
 */
export function pyLiteral(value: Json | undefined): string {
  if (typeof value === 'object' && value !== null && nestsDeeper(value, MAX_LITERAL_DEPTH)) {
    checkFinite(value);
    return `json.loads(${JSON.stringify(JSON.stringify(value))})`;
  }
  return literal(value);
}

/** Whether `value` opens more than `limit` nested arrays/objects (stops as soon as it knows). */
function nestsDeeper(value: Json, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const c of children) if (nestsDeeper(c, limit - 1)) return true;
  return false;
}

/** Throws on a number JSON would turn into null (as `literal` does): the value must not change meaning. */
function checkFinite(value: Json): void {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new Error(`${value} cannot be written as a Python literal.`);
  if (typeof value !== 'object' || value === null) return;
  for (const c of Array.isArray(value) ? value : Object.values(value)) checkFinite(c);
}

function literal(value: Json | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    // JSON.stringify(Infinity) is "null": never let a number change meaning (the gate refuses them).
    if (!Number.isFinite(value)) throw new Error(`${value} cannot be written as a Python literal.`);
    return Number.isInteger(value) ? String(value) : JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${literal(v)}`)
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
