/**
 * Python export: a runnable module with a Celery app, one task stub per task name (its catalogue retry
 * policy as decorator arguments) and the canvas built with `chain/group/chord`, `.s()/.si()`, `.set(...)`
 * for per-node options, `link` and `link_error`. `json.dumps(canvas)` in that module equals
 * `toCeleryJson(file).json`.
 *
 * The canvas is written in its Celery form (composed, links placed like Celery's link methods) with
 * `app=app` passed to `chain/group/chord`, which stops Celery from re-folding it: the module builds the
 * same tree with any Celery 5.x. Running it prints the JSON; `--apply` sends it to the broker.
 */
import type { CatalogueEntry, TaskCatalogue } from './catalogue';
import { toCeleryTree } from './celeryJson';
import { EXCEPTION_BASES } from './exceptions';
import type { CanvasFile, CanvasNode, Json, TaskOptions } from './model';
import { walkNodes } from './paths';

const PY_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

const PY_RESERVED = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  // Names the module itself uses.
  'app',
  'chain',
  'chord',
  'group',
  'json',
  'os',
  'sys',
  'canvas',
  'Celery',
  'INVOKE_ARGS',
  'INVOKE_KWARGS',
]);

const CELERY_EXCEPTIONS = new Set([
  'SoftTimeLimitExceeded',
  'TimeLimitExceeded',
  'MaxRetriesExceededError',
  'ChordError',
  'Retry',
  'TaskError',
  'CeleryError',
  'ImproperlyConfigured',
  'WorkerLostError',
]);
const REQUESTS_EXCEPTIONS = ['RequestException', 'HTTPError', 'Timeout', 'ReadTimeout', 'ConnectTimeout'];
const PY_BUILTINS = new Set([
  'BaseException',
  'Exception',
  'ArithmeticError',
  'ZeroDivisionError',
  'LookupError',
  'KeyError',
  'IndexError',
  'TypeError',
  'ValueError',
  'RuntimeError',
  'NotImplementedError',
  'OSError',
  'TimeoutError',
  'ConnectionError',
]);

/** A JSON value as a Python literal. */
export function pyLiteral(value: Json | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${pyLiteral(v)}`)
    .join(', ')}}`;
}

function kwargsCall(entries: Array<[string, string]>): string[] {
  // Identifiers become keyword arguments; any other key goes through **{...}.
  const plain = entries.filter(([k]) => /^[A-Za-z_]\w*$/.test(k) && !PY_KEYWORDS.has(k));
  const odd = entries.filter((e) => !plain.includes(e));
  const out = plain.map(([k, v]) => `${k}=${v}`);
  if (odd.length > 0) out.push(`**{${odd.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`);
  return out;
}

/** Python function names for task names (unique, valid identifiers). */
function functionNames(names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const name of names) {
    let base = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `task_${base}`;
    if (PY_RESERVED.has(base)) base = `${base}_task`;
    let candidate = base;
    for (let i = 2; used.has(candidate); i++) candidate = `${base}_${i}`;
    used.add(candidate);
    out.set(name, candidate);
  }
  return out;
}

function exceptionBlock(names: Set<string>): string[] {
  const lines: string[] = [];
  const celery = [...names].filter((n) => CELERY_EXCEPTIONS.has(n)).sort();
  if (celery.length > 0) lines.push(`from celery.exceptions import ${celery.join(', ')}`, '');
  const requests = REQUESTS_EXCEPTIONS.filter((n) => names.has(n));
  if (requests.length > 0) {
    // Import the closure of bases so the fallback classes keep the hierarchy.
    const needed = REQUESTS_EXCEPTIONS.filter((n) => requests.some((r) => r === n || isBase(n, r)));
    lines.push(
      'try:',
      `    from requests.exceptions import ${needed.join(', ')}`,
      'except ImportError:  # same hierarchy without requests',
    );
    for (const n of needed)
      lines.push(`    class ${n}(${EXCEPTION_BASES[n] ?? 'Exception'}):`, '        pass', '');
  }
  const own = [...names].filter(
    (n) => !CELERY_EXCEPTIONS.has(n) && !PY_BUILTINS.has(n) && !REQUESTS_EXCEPTIONS.includes(n),
  );
  for (const n of own.sort()) {
    const base = EXCEPTION_BASES[n] ?? 'Exception';
    lines.push(`class ${n}(${base}):`, `    """Exception type named in the canvas (${n})."""`, '', '');
  }
  return lines;
}

function isBase(base: string, type: string): boolean {
  let current = EXCEPTION_BASES[type];
  while (current) {
    if (current === base) return true;
    current = EXCEPTION_BASES[current];
  }
  return false;
}

function decoratorArgs(name: string, defaults: TaskOptions, comments: string[]): string {
  const args: string[] = [`name=${JSON.stringify(name)}`];
  const o = defaults;
  if (o.max_retries !== undefined) args.push(`max_retries=${pyLiteral(o.max_retries)}`);
  if (o.default_retry_delay !== undefined)
    args.push(`default_retry_delay=${pyLiteral(o.default_retry_delay)}`);
  if (o.autoretry_for && o.autoretry_for.length > 0)
    args.push(`autoretry_for=(${o.autoretry_for.join(', ')},)`);
  if (o.retry_backoff !== undefined) args.push(`retry_backoff=${pyLiteral(o.retry_backoff)}`);
  if (o.retry_backoff_max !== undefined) args.push(`retry_backoff_max=${pyLiteral(o.retry_backoff_max)}`);
  if (o.retry_jitter !== undefined) args.push(`retry_jitter=${pyLiteral(o.retry_jitter)}`);
  if (o.soft_time_limit !== undefined) args.push(`soft_time_limit=${pyLiteral(o.soft_time_limit)}`);
  if (o.time_limit !== undefined) args.push(`time_limit=${pyLiteral(o.time_limit)}`);
  if (o.queue !== undefined) args.push(`queue=${pyLiteral(o.queue)}`);
  if (o.countdown !== undefined)
    comments.push(`# retries wait ${o.countdown} s: self.retry(countdown=${o.countdown})`);
  return args.join(', ');
}

function paramList(entry: CatalogueEntry | undefined): string {
  if (!entry) return '*args, **kwargs';
  const parts: string[] = [];
  let star = false;
  for (const p of entry.params) {
    if (p.kind === 'varargs') {
      parts.push(`*${p.name}`);
      star = true;
    } else if (p.kind === 'keyword') {
      if (!star) {
        parts.push('*');
        star = true;
      }
      parts.push(p.default === undefined ? p.name : `${p.name}=${pyLiteral(p.default)}`);
    } else parts.push(p.default === undefined ? p.name : `${p.name}=${pyLiteral(p.default)}`);
  }
  return parts.join(', ');
}

function signatureExpr(node: CanvasNode, fn: Map<string, string>, indent: string): string {
  const inner = `${indent}    `;
  const list = (nodes: CanvasNode[]) =>
    nodes.map((n) => `${inner}${signatureExpr(n, fn, inner)},`).join('\n');
  const opts: Array<[string, string]> = [];
  if (node.type === 'task') {
    for (const [k, v] of Object.entries(node.options))
      if (v !== undefined) opts.push([k, pyLiteral(v as Json)]);
    if (node.id !== undefined) opts.push(['task_id', pyLiteral(node.id)]);
    if (node.sim !== undefined) opts.push(['chordflow_sim', pyLiteral(node.sim as unknown as Json)]);
  }
  if (node.link.length > 0) opts.push(['link', `[\n${list(node.link)}\n${indent}]`]);
  if (node.link_error.length > 0) opts.push(['link_error', `[\n${list(node.link_error)}\n${indent}]`]);
  const set = opts.length > 0 ? `.set(${kwargsCall(opts).join(', ')})` : '';
  switch (node.type) {
    case 'task': {
      const args = node.args.map(pyLiteral);
      const kw = kwargsCall(Object.entries(node.kwargs).map(([k, v]) => [k, pyLiteral(v)]));
      return `${fn.get(node.task)}.${node.immutable ? 'si' : 's'}(${[...args, ...kw].join(', ')})${set}`;
    }
    case 'chain':
      return node.tasks.length === 0
        ? `chain(app=app)${set}`
        : `chain(\n${list(node.tasks)}\n${inner}app=app,\n${indent})${set}`;
    case 'group':
      return node.tasks.length === 0
        ? `group([], app=app)${set}`
        : `group([\n${list(node.tasks)}\n${indent}], app=app)${set}`;
    case 'chord':
      return `chord([\n${list(node.header)}\n${indent}], ${signatureExpr(node.body, fn, indent)}, app=app)${set}`;
  }
}

/** A runnable Python module building `file`'s canvas with Celery (see module doc). */
export function toPythonModule(
  file: CanvasFile,
  catalogue: TaskCatalogue,
  opts: { name?: string } = {},
): string {
  const tree = toCeleryTree(file);
  const names: string[] = [];
  for (const { node } of walkNodes(tree))
    if (node.type === 'task' && !names.includes(node.task)) names.push(node.task);
  const fn = functionNames(names);
  const exceptions = new Set<string>();
  for (const name of names)
    for (const e of catalogue.get(name)?.defaults.autoretry_for ?? []) exceptions.add(e);

  const out: string[] = [
    `"""${(opts.name ?? 'Chordflow canvas').replace(/"""/g, "'''")} — exported by Chordflow.`,
    '',
    'Task bodies are stubs: put your code in them. `python3 THIS_FILE` prints json.dumps(canvas);',
    '`python3 THIS_FILE --apply` sends the canvas to the broker (CELERY_BROKER_URL).',
    '"""',
    'import json',
    'import os',
    'import sys',
    '',
    'from celery import Celery, chain, chord, group',
    '',
    ...exceptionBlock(exceptions),
    '',
    'app = Celery(',
    "    'chordflow_export',",
    "    broker=os.environ.get('CELERY_BROKER_URL', 'redis://localhost:6379/0'),",
    "    backend=os.environ.get('CELERY_RESULT_BACKEND', 'redis://localhost:6379/1'),",
    ')',
    `app.conf.task_allow_error_cb_on_chord_header = ${pyLiteral(file.config.task_allow_error_cb_on_chord_header)}`,
    '',
  ];
  for (const name of names) {
    const entry = catalogue.get(name);
    const comments: string[] = [];
    const deco = decoratorArgs(name, entry?.defaults ?? {}, comments);
    out.push('', ...comments, `@app.task(${deco})`, `def ${fn.get(name)}(${paramList(entry)}):`);
    out.push(
      `    """${(entry?.description ?? `Task ${name}`).replace(/"""/g, "'''").replace(/\\/g, '\\\\')}"""`,
    );
    out.push(`    raise NotImplementedError(${JSON.stringify(`${name}: put the task's code here`)})`, '');
  }
  out.push('', `canvas = ${signatureExpr(tree, fn, '')}`, '');
  out.push(
    `INVOKE_ARGS = ${pyLiteral(file.invoke.args)}`,
    `INVOKE_KWARGS = ${pyLiteral(file.invoke.kwargs)}`,
    '',
  );
  out.push(
    '',
    "if __name__ == '__main__':",
    "    if '--apply' in sys.argv:",
    '        print(canvas.apply_async(INVOKE_ARGS, INVOKE_KWARGS).id)',
    '    else:',
    '        print(json.dumps(canvas))',
    '',
  );
  return out.join('\n');
}
