/**
 * Python export: a runnable module with a Celery app, one task per task name (its catalogue retry
 * policy as decorator arguments; real bodies for the built-in and tutorial tasks, a stub for user
 * tasks) and the canvas built with `chain/group/chord`, `.s()/.si()`, `.set(...)` for per-node options,
 * `link` and `link_error`. `json.dumps(canvas)` in that module equals `toCeleryJson(file).json`, except
 * that a node's `countdown` option is written `chordflow_retry_countdown` (Celery's `countdown` would
 * delay the first run; Chordflow's is the retry delay). Per-node retry options are applied by the
 * module's `ChordflowTask` base class (see python/runtime.ts).
 *
 * The canvas is written in its Celery form (composed, links placed like Celery's link methods) with
 * `app=app` passed to `chain/group/chord`, which stops Celery from re-folding it: the module builds the
 * same tree with any Celery 5.x. Running it prints the JSON; `--apply` sends it to the broker. Canvases
 * nested deeper than a few levels are written as variables assigned before use (python/canvasCode.ts),
 * so the module stays linear in the canvas and within what Python's parser accepts.
 */
import type { CatalogueEntry, TaskCatalogue } from './catalogue';
import { toCeleryTree } from './celeryJson';
import { CHUNKS_TASK, innerTaskName, MAP_TASK, STARMAP_TASK } from './chunks';
import type { CanvasFile, CanvasNode, TaskOptions } from './model';
import { forEachNode } from './paths';
import { PYTHON_BODIES } from './python/bodies';
import { canvasStatements } from './python/canvasCode';
import { exceptionNameProblem, quoteName } from './python/classNames';
import { pyLiteral } from './python/literals';
import { exceptionBlock, functionNames } from './python/names';
import { chordflowTaskClass, modelServiceHelpers, observationHelpers } from './python/runtime';

/**
 * Text as the inside of a Python `"""docstring"""`: backslashes and every quote escaped, control
 * characters (a NUL makes the whole module unreadable) and lone surrogates written as escapes.
 */
export function pyDocText(text: string): string {
  const hex = (c: string, width: number) => (c.codePointAt(0) ?? 0).toString(16).padStart(width, '0');
  return (
    text
      .replace(/[\\"]/g, (c) => `\\${c}`)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped.
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, (c) => `\\x${hex(c, 2)}`)
      .replace(
        /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
        (c) => `\\u${hex(c, 4)}`,
      )
  );
}

function decoratorArgs(name: string, defaults: TaskOptions, comments: string[], bind: boolean): string {
  const args: string[] = [`name=${JSON.stringify(name)}`, 'base=ChordflowTask'];
  if (bind) args.push('bind=True');
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

/** Where a node's `countdown` (Chordflow: the retry delay) goes, so Celery does not delay the first run. */
export const RETRY_COUNTDOWN = 'chordflow_retry_countdown';

const MAP_NAMES = new Set([CHUNKS_TASK, MAP_TASK, STARMAP_TASK]);

/** Task names of the canvas plus the tasks their bodies call, in first-use order. */
function taskNames(tree: CanvasNode, catalogue: TaskCatalogue): string[] {
  const names = new Set<string>();
  const addName = (name: string): void => {
    if (names.has(name)) return;
    names.add(name);
    for (const used of bodyFor(name, catalogue)?.uses ?? []) addName(used);
  };
  forEachNode(tree, (node) => {
    if (node.type !== 'task') return;
    // Celery's own map/starmap/chunks tasks are not defined by the module: their inner task is.
    const inner = MAP_NAMES.has(node.task) ? innerTaskName(node.kwargs) : undefined;
    addName(inner ?? node.task);
  });
  return [...names];
}

/** The real body of a built-in or tutorial task; `undefined` for user tasks (they get a stub). */
function bodyFor(name: string, catalogue: TaskCatalogue) {
  const entry = catalogue.get(name);
  if (entry === undefined || (entry.source !== 'builtin' && entry.source !== 'tutorial')) return undefined;
  return PYTHON_BODIES[name];
}

function taskDefinition(name: string, catalogue: TaskCatalogue, fn: Map<string, string>): string[] {
  const entry = catalogue.get(name);
  const body = bodyFor(name, catalogue);
  const comments: string[] = [];
  const deco = decoratorArgs(name, entry?.defaults ?? {}, comments, body?.bind ?? false);
  const params = paramList(entry);
  const doc = pyDocText(entry?.description ?? `Task ${name}`);
  const lines = [
    '',
    ...comments,
    `@app.task(${deco})`,
    `def ${fn.get(name)}(${body?.bind ? (params ? `self, ${params}` : 'self') : params}):`,
    `    """${doc}"""`,
  ];
  if (body === undefined)
    lines.push(`    raise NotImplementedError(${JSON.stringify(`${name}: put the task's code here`)})`);
  else
    for (const line of body.body)
      lines.push(`    ${line.replace(/FN\((\w+)\)/g, (_m, t: string) => fn.get(t) ?? t)}`);
  lines.push('');
  return lines;
}

/** A runnable Python module building `file`'s canvas with Celery (see module doc). */
export function toPythonModule(
  file: CanvasFile,
  catalogue: TaskCatalogue,
  opts: { name?: string } = {},
): string {
  const tree = toCeleryTree(file);
  const names = taskNames(tree, catalogue);
  const fn = functionNames(names);
  const exceptions = new Set<string>();
  let http = false;
  for (const name of names) {
    for (const e of catalogue.get(name)?.defaults.autoretry_for ?? []) exceptions.add(e);
    const body = bodyFor(name, catalogue);
    for (const e of body?.exceptions ?? []) exceptions.add(e);
    if (body?.http) http = true;
  }
  // Exception names in per-node autoretry_for must exist in the module for ChordflowTask to match them.
  forEachNode(tree, (node) => {
    if (node.type === 'task') for (const e of node.options.autoretry_for ?? []) exceptions.add(e);
  });
  // They are written as code (`class Name(Exception)`); the gate refused bad ones, this is the backstop.
  for (const e of exceptions) {
    const why = exceptionNameProblem(e);
    if (why !== null) throw new Error(`${quoteName(e)} is not usable as an exception name: ${why}.`);
  }

  const out: string[] = [
    `"""${pyDocText(opts.name ?? 'Chordflow canvas')} — exported by Chordflow.`,
    '',
    'Built-in and tutorial tasks have their Chordflow semantics; user tasks are stubs: put your code in',
    'them. `python3 THIS_FILE` prints json.dumps(canvas); `python3 THIS_FILE --apply` sends the canvas to',
    'the broker and prints its result id. Environment: CELERY_BROKER_URL, CELERY_RESULT_BACKEND,',
    'MODEL_SERVICE_URL (tutorial tasks), CHORDFLOW_OBSERVATIONS_KEY (a Redis list on the result backend',
    'that record/on_error/on_error_id push their observations to).',
    'Worker: python3 -m celery -A THIS_MODULE worker --pool threads --concurrency 4',
    '"""',
    'import builtins',
    'import json',
    'import logging',
    'import os',
    'import socket',
    'import sys',
    'import time',
    'import urllib.error',
    'import urllib.parse',
    'import urllib.request',
    '',
    'import celery',
    'import celery.exceptions',
    'from celery import Celery, chain, chord, chunks, group, xmap, xstarmap',
    'from celery.exceptions import Ignore, Retry',
    'from celery.utils.time import get_exponential_backoff_interval',
    '',
    'try:',
    '    import requests as _requests',
    'except ImportError:  # urllib is used instead, raising the same exception types',
    '    _requests = None',
    '',
    ...exceptionBlock(exceptions),
    '',
    'app = Celery(',
    "    'chordflow_export',",
    "    broker=os.environ.get('CELERY_BROKER_URL', 'redis://localhost:6379/0'),",
    "    backend=os.environ.get('CELERY_RESULT_BACKEND', 'redis://localhost:6379/1'),",
    ')',
    `app.conf.task_allow_error_cb_on_chord_header = ${pyLiteral(file.config.task_allow_error_cb_on_chord_header)}`,
    'app.conf.result_extended = True',
    'app.conf.worker_prefetch_multiplier = 1',
    '',
    ...observationHelpers(),
    '',
    ...(http ? [...modelServiceHelpers(), ''] : []),
    ...chordflowTaskClass(),
    '',
  ];
  for (const name of names) out.push(...taskDefinition(name, catalogue, fn));
  // Names the canvas's hoisted variables must not take: every module-level name the canvas brings.
  const taken = new Set([...fn.values(), ...exceptions]);
  out.push('', canvasStatements(tree, fn, taken).join('\n\n'), '');
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
