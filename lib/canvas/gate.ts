/**
 * The one validation gate for canvases from outside (API bodies, CLI files, editor imports, exporters).
 * Every canvas is untrusted input: before any recursive reader sees a parsed value, `checkRawValue`
 * walks it iteratively and refuses values nested deeper than the limits allow and numbers JSON and Python
 * cannot carry (`1e999` parses as Infinity, YAML has `.nan`); after reading, `checkCanvasFile` caps node
 * depth and task count and checks every name that reaches generated code. Problems are sentences with
 * the path of what is wrong; nothing here throws.
 */
import { canvasFileFromJson } from './canvasJson';
import { CHUNKS_TASK } from './chunks';
import { plannedTaskBound } from './expansion';
import type { CanvasFile, CanvasNode, Json, NodePath } from './model';
import { formatPath } from './paths';
import { error, fail, ok, type ParseResult, type Problem } from './problems';
import { exceptionNameProblem, quoteName } from './python/classNames';

export interface CanvasLimits {
  /** Deepest nesting of canvas nodes (a chain in a group in a chord … counts one level each). */
  maxDepth: number;
  /** Most task signatures in one canvas (callbacks and errbacks included). */
  maxTasks: number;
}

/** The API's defaults (`CHORDFLOW_MAX_DEPTH`, `CHORDFLOW_MAX_TASKS` raise them). */
export const API_LIMITS: CanvasLimits = { maxDepth: 100, maxTasks: 100_000 };
/** The CLI's defaults: the simulator takes far bigger canvases than a shared server should. */
export const CLI_LIMITS: CanvasLimits = { maxDepth: 400, maxTasks: 10_000_000 };

/** Where V8's recursive `JSON.stringify` and the readers still have stack to spare, whatever is set. */
export const RAW_DEPTH_CEILING = 4_000;
/** The most `CHORDFLOW_MAX_DEPTH` may say: every format and exporter was run at this depth. */
export const MAX_DEPTH_CEILING = 600;

/**
 * JSON nesting allowed for `limits`: a canvas level costs two or three JSON levels (`{"chord":
 * {"header": [ … ]}}`), and argument values get 64 more; never above `RAW_DEPTH_CEILING`.
 */
export function rawDepthLimit(limits: CanvasLimits): number {
  return Math.min(3 * limits.maxDepth + 64, RAW_DEPTH_CEILING);
}

/** Limits from environment values (`CHORDFLOW_MAX_DEPTH`, `CHORDFLOW_MAX_TASKS`) over `base`. */
export function limitsFrom(
  env: Readonly<Record<string, string | undefined>>,
  base: CanvasLimits,
): CanvasLimits {
  const read = (name: 'CHORDFLOW_MAX_DEPTH' | 'CHORDFLOW_MAX_TASKS', fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}".`);
    return n;
  };
  const maxDepth = read('CHORDFLOW_MAX_DEPTH', base.maxDepth);
  if (maxDepth > MAX_DEPTH_CEILING)
    throw new Error(
      `CHORDFLOW_MAX_DEPTH may be at most ${MAX_DEPTH_CEILING} (deeper canvases exhaust the JavaScript stack), got ${maxDepth}.`,
    );
  return {
    maxDepth,
    maxTasks: read('CHORDFLOW_MAX_TASKS', base.maxTasks),
  };
}

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | undefined;
  key: string | number;
}

function framePath(frame: Frame | undefined, root: string): string {
  const parts: Array<string | number> = [];
  for (let f = frame; f?.parent !== undefined; f = f.parent) parts.push(f.key);
  return shortPath(formatPath(parts.reverse(), root));
}

/** Paths of deep values are long: keep both ends readable. */
function shortPath(path: string): string {
  return path.length <= 160 ? path : `${path.slice(0, 70)} … ${path.slice(-70)}`;
}

function numberProblem(n: number): string {
  if (Number.isNaN(n)) return 'NaN is not a number JSON or Python can carry; use null or a string.';
  return `${n > 0 ? '' : '-'}1e999-style numbers overflow to ${n > 0 ? '' : '-'}Infinity, which JSON and Python cannot carry; use a smaller number or a string.`;
}

/**
 * Problems of a parsed, untrusted value (a whole file, a body field): nesting deeper than
 * `rawDepthLimit(limits)` and non-finite numbers. Iterative, so any depth is safe to check.
 */
export function checkRawValue(value: unknown, limits: CanvasLimits, root = ''): Problem[] {
  return rawValueClean(value, rawDepthLimit(limits)) ? [] : rawValueProblems(value, limits, root);
}

/** The common case, fast: no frames, no paths (a million-task file is read in well under a second). */
function rawValueClean(value: unknown, maxRaw: number): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  const values: object[] = [value];
  const depths: number[] = [0];
  for (let v = values.pop(); v !== undefined; v = values.pop()) {
    const depth = depths.pop() as number;
    if (depth >= maxRaw) return false;
    const items = Array.isArray(v) ? v : Object.values(v);
    for (let i = 0; i < items.length; i++) {
      const x: unknown = items[i];
      if (typeof x === 'number') {
        if (!Number.isFinite(x)) return false;
      } else if (x !== null && typeof x === 'object') {
        values.push(x);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}

/** Where the problems are, with paths (only run when `rawValueClean` found one). */
function rawValueProblems(value: unknown, limits: CanvasLimits, root: string): Problem[] {
  const problems: Problem[] = [];
  const maxRaw = rawDepthLimit(limits);
  const stack: Frame[] = [{ value, depth: 0, parent: undefined, key: '' }];
  let numbers = 0;
  for (let f = stack.pop(); f !== undefined; f = stack.pop()) {
    const v = f.value;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) && numbers++ < 20) problems.push(error(framePath(f, root), numberProblem(v)));
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (f.depth >= maxRaw) {
      return [
        error(
          framePath(f, root),
          `The input nests more than ${maxRaw} levels deep here; Chordflow takes canvases nested at most ${limits.maxDepth} levels (CHORDFLOW_MAX_DEPTH) with arguments at most 64 levels deep. Flatten it.`,
        ),
      ];
    }
    // Children: numbers are checked here and other primitives skipped, so only containers get a frame.
    const visit = (child: unknown, key: string | number): void => {
      if (typeof child === 'number') {
        if (!Number.isFinite(child) && numbers++ < 20) {
          const at = framePath({ value: child, depth: f.depth + 1, parent: f, key }, root);
          problems.push(error(at, numberProblem(child)));
        }
      } else if (child !== null && typeof child === 'object')
        stack.push({ value: child, depth: f.depth + 1, parent: f, key });
    };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) visit(v[i], i);
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        visit((v as Record<string, unknown>)[k], k);
      }
    }
  }
  return problems;
}

// Names and labels end up in task ids, Redis keys, logs, YAML and Python string literals: printable text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

function textProblem(what: string, text: string): string | null {
  if (text.length > 200) return `${what} ${quoteName(text)} is longer than 200 characters.`;
  if (CONTROL.test(text))
    return `${what} ${quoteName(text)} contains a control character or line break; use printable text.`;
  return null;
}

function nonFinite(value: Json | undefined): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  const stack: object[] = [value];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    const items = Array.isArray(v) ? v : Object.values(v);
    for (const x of items) {
      if (typeof x === 'number') {
        if (!Number.isFinite(x)) return true;
      } else if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return false;
}

/**
 * Problems of a read canvas file that the readers do not catch: nesting deeper than `limits.maxDepth`,
 * more than `limits.maxTasks` tasks, names no exporter may write as code (exception names in
 * `autoretry_for` and simulated errors), task names, labels and queues that are not printable text,
 * and non-finite numbers in arguments, options and simulation models. Iterative.
 */
export function checkCanvasFile(file: CanvasFile, limits: CanvasLimits): Problem[] {
  const problems: Problem[] = [];
  let tasks = 0;
  let multiplies = false;
  // Paths are parent links, made into text only for a problem: big canvases cost one object per node.
  const stack: NodeFrame[] = [{ node: file.canvas, parent: undefined, key: '', depth: 1 }];
  for (let f = stack.pop(); f !== undefined; f = stack.pop()) {
    const { node, depth } = f;
    if (depth > limits.maxDepth) {
      problems.push(
        error(
          shortPath(formatPath(nodePath(f))),
          `The canvas nests more than ${limits.maxDepth} levels deep here (CHORDFLOW_MAX_DEPTH); flatten it.`,
        ),
      );
      return problems;
    }
    if (node.type === 'task') {
      tasks += 1;
      if (tasks > limits.maxTasks) {
        problems.push(
          error(
            '',
            `The canvas has more than ${limits.maxTasks} tasks (CHORDFLOW_MAX_TASKS); split it into smaller runs.`,
          ),
        );
        return problems;
      }
      checkTask(node, f, problems);
    }
    // Only errbacks of composites and chunks nodes multiply signatures (see expansion.ts).
    if (node.type === 'task' ? node.task === CHUNKS_TASK : node.link_error.length > 0) multiplies = true;
    pushChildren(stack, f, node.link_error, 'link_error');
    pushChildren(stack, f, node.link, 'link');
    if (node.type === 'chain' || node.type === 'group') pushChildren(stack, f, node.tasks, 'tasks');
    else if (node.type === 'chord') {
      stack.push({ node: node.body, parent: f, key: 'body', depth: depth + 1 });
      pushChildren(stack, f, node.header, 'header');
    }
  }
  if (nonFinite(file.invoke.args) || nonFinite(file.invoke.kwargs))
    problems.push(error('invoke', numberProblem(Number.POSITIVE_INFINITY)));
  const planned = multiplies ? plannedTaskBound(file.canvas) : 0;
  if (planned > limits.maxTasks) {
    const count = planned < 1e15 ? Math.round(planned).toLocaleString('en-US') : 'more than 10^15';
    problems.push(
      error(
        '',
        `Celery copies an errback onto every task it covers (and a chunks node becomes one task per part): this canvas would plan up to ${count} task signatures, more than ${limits.maxTasks} (CHORDFLOW_MAX_TASKS); move the errbacks onto fewer tasks or split the canvas.`,
      ),
    );
  }
  return problems;
}

interface NodeFrame {
  node: CanvasNode;
  parent: NodeFrame | undefined;
  /** How the parent holds this node: `body`, or a list name and index. */
  key: string | [string, number];
  depth: number;
}

// Top-level, not closures in the loop: one closure per node costs more than the checks (bundlers name them).
function pushChildren(stack: NodeFrame[], f: NodeFrame, list: readonly CanvasNode[], name: string): void {
  for (let i = list.length - 1; i >= 0; i--)
    stack.push({ node: list[i] as CanvasNode, parent: f, key: [name, i], depth: f.depth + 1 });
}

function pathAt(frame: NodeFrame, ...more: NodePath): string {
  return formatPath([...nodePath(frame), ...more]);
}

function nodePath(frame: NodeFrame): NodePath {
  const parts: NodePath = [];
  for (let f: NodeFrame | undefined = frame; f?.parent !== undefined; f = f.parent) {
    if (typeof f.key === 'string') parts.push(f.key);
    else parts.push(f.key[1], f.key[0]);
  }
  return parts.reverse();
}

function checkTask(node: Extract<CanvasNode, { type: 'task' }>, frame: NodeFrame, problems: Problem[]): void {
  const id = node.id;
  const name = textProblem('The task name', node.task);
  if (name) problems.push(error(pathAt(frame, 'task'), name, id));
  if (id !== undefined) {
    const label = textProblem('The label', id);
    if (label) problems.push(error(pathAt(frame, 'id'), label, id));
  }
  for (const key of ['queue', 'routing_key', 'shadow'] as const) {
    const text = node.options[key];
    const why = typeof text === 'string' ? textProblem(`The ${key.replace('_', ' ')}`, text) : null;
    if (why) problems.push(error(pathAt(frame, 'options', key), why, id));
  }
  const autoretry = node.options.autoretry_for ?? [];
  for (let i = 0; i < autoretry.length; i++) {
    const exc = autoretry[i];
    const why = exceptionNameProblem(exc);
    if (why)
      problems.push(
        error(
          pathAt(frame, 'options', 'autoretry_for', i),
          `${quoteName(exc)} is not usable as an exception name: ${why}.`,
          id,
        ),
      );
  }
  const simError = node.sim?.error?.type;
  if (simError !== undefined) {
    const why = exceptionNameProblem(simError);
    if (why)
      problems.push(
        error(
          pathAt(frame, 'sim', 'error', 'type'),
          `${quoteName(simError)} is not usable as an exception name: ${why}.`,
          id,
        ),
      );
  }
  if (
    nonFinite(node.args) ||
    nonFinite(node.kwargs) ||
    nonFinite(node.options as unknown as Json) ||
    nonFinite(node.sim as unknown as Json)
  )
    problems.push(error(pathAt(frame), numberProblem(Number.POSITIVE_INFINITY), id));
}

/** Reads an untrusted Canvas JSON value (bare node or file wrapper) through the whole gate. */
export function readCanvasValue(value: unknown, limits: CanvasLimits): ParseResult<CanvasFile> {
  const raw = checkRawValue(value, limits, 'canvas');
  if (raw.length > 0) return fail(raw);
  const read = canvasFileFromJson(value);
  if (!read.ok) return read;
  const problems = checkCanvasFile(read.value, limits);
  return problems.length > 0 ? fail(problems) : ok(read.value, read.warnings ?? []);
}
