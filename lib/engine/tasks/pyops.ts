/**
 * Python's `+`, `*` and `sum` over JSON values, with Python's TypeError messages
 * (`unsupported operand type(s) for +: 'int' and 'str'`, `can only concatenate str (not "int") to str`).
 */
import type { Json } from '../../canvas/model';
import { pyTypeName } from '../python';
import { raise } from './bind';

function isNum(v: Json): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

function isInt(v: Json): boolean {
  return typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
}

/** Python `x + y`. */
export function pyAdd(x: Json, y: Json): Json {
  if (isNum(x) && isNum(y)) return Number(x) + Number(y);
  if (typeof x === 'string') {
    if (typeof y === 'string') return x + y;
    raise('TypeError', `can only concatenate str (not "${pyTypeName(y)}") to str`);
  }
  if (Array.isArray(x)) {
    if (Array.isArray(y)) return [...x, ...y];
    raise('TypeError', `can only concatenate list (not "${pyTypeName(y)}") to list`);
  }
  return raise('TypeError', `unsupported operand type(s) for +: '${pyTypeName(x)}' and '${pyTypeName(y)}'`);
}

function repeat(seq: string | Json[], times: number): Json {
  if (times <= 0) return typeof seq === 'string' ? '' : [];
  if (typeof seq === 'string') return seq.repeat(times);
  const out: Json[] = [];
  for (let i = 0; i < times; i++) out.push(...seq);
  return out;
}

/** Python `x * y`. */
export function pyMul(x: Json, y: Json): Json {
  if (isNum(x) && isNum(y)) return Number(x) * Number(y);
  const seqX = typeof x === 'string' || Array.isArray(x);
  const seqY = typeof y === 'string' || Array.isArray(y);
  if (seqX || seqY) {
    const seq = (seqX ? x : y) as string | Json[];
    const other = seqX ? y : x;
    if (isInt(other)) return repeat(seq, Number(other));
    raise('TypeError', `can't multiply sequence by non-int of type '${pyTypeName(other)}'`);
  }
  return raise('TypeError', `unsupported operand type(s) for *: '${pyTypeName(x)}' and '${pyTypeName(y)}'`);
}

/** Items of an iterable argument (list or str), else Python's "not iterable" TypeError. */
export function pyIter(value: Json): Json[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (value !== null && typeof value === 'object') return Object.keys(value);
  return raise('TypeError', `'${pyTypeName(value)}' object is not iterable`);
}

/** Python `sum(items)` (start 0). */
export function pySum(value: Json): Json {
  let acc: Json = 0;
  for (const item of pyIter(value)) acc = pyAdd(acc, item);
  return acc;
}
