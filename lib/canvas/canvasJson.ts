/**
 * Canvas JSON (SPEC 2.1): the compact interchange form. `parseCanvasJson` reads text, `canvasFileFromJson`
 * an already-parsed value (both accept a bare NODE or the `{canvas, invoke, config}` wrapper), and
 * `toCanvasJson` writes the compact form (defaults omitted; a bare NODE when invoke/config are default).
 *
 * A `pipe` is folded with Celery's `|` when read (the model has no pipe node), so it is written back
 * as the composed result.
 */
import { deepEqual } from './build';
import { desugarMapNode, sugarMapNode } from './chunks';
import { parseJsonText } from './jsonError';
import type {
  CanvasConfig,
  CanvasFile,
  CanvasNode,
  InvokeArgs,
  Json,
  JsonObject,
  TaskNode,
  TaskOptions,
} from './model';
import { composeCanvas } from './normalize';
import { kindOf, parseLeaf, simSchema, taskOptionsSchema } from './optionsSchema';
import { NestingError, pipeAll } from './pipeFold';
import { error, fail, ok, type ParseResult, type Problem } from './problems';
import { readWrapperFields } from './wrapperFields';

export { parseJsonText };

const NODE_KEYS = ['task', 'chain', 'group', 'chord', 'pipe', 'chunks', 'xmap', 'xstarmap'] as const;
const TASK_FIELDS = new Set([
  'task',
  'args',
  'kwargs',
  'immutable',
  'id',
  'options',
  'link',
  'link_error',
  'sim',
]);
const COMPOSITE_FIELDS = new Set(['link', 'link_error', 'options']);

export const DEFAULT_CONFIG: CanvasConfig = { task_allow_error_cb_on_chord_header: false };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class NodeReader {
  readonly problems: Problem[] = [];
  constructor(private readonly config: CanvasConfig) {}

  node(value: unknown, path: string): CanvasNode | null {
    if (!isObject(value)) {
      this.problems.push(
        error(
          path,
          `Expected a node ({"task": …}, {"chain": […]}, {"group": […]}, {"chord": {…}} or {"pipe": […]}), found ${kindOf(value)}.`,
        ),
      );
      return null;
    }
    const kinds = NODE_KEYS.filter((k) => k in value);
    if (kinds.length !== 1) {
      const found =
        kinds.length === 0
          ? `none of them (keys: ${Object.keys(value).join(', ') || 'none'})`
          : kinds.join(' and ');
      this.problems.push(
        error(
          path,
          `A node needs exactly one of "task", "chain", "group", "chord" or "pipe"; found ${found}.`,
        ),
      );
      return null;
    }
    const kind = kinds[0] as (typeof NODE_KEYS)[number];
    if (kind === 'task') return this.task(value, path);
    if (kind === 'chunks' || kind === 'xmap' || kind === 'xstarmap') {
      // Short form of Celery's map/starmap/chunks signatures (lib/canvas/chunks.ts).
      const plain = desugarMapNode(kind, value, path, this.problems);
      return plain === null ? null : this.task(plain, path);
    }
    for (const key of Object.keys(value)) {
      if (key === 'raw' && kind === 'chain') {
        if (typeof value.raw !== 'boolean') {
          this.problems.push(error(`${path}.raw`, `"raw" must be true or false, not ${kindOf(value.raw)}.`));
        }
      } else if (key !== kind && !COMPOSITE_FIELDS.has(key)) {
        this.problems.push(
          error(
            `${path}.${key}`,
            `Unknown field "${key}" on a ${kind}; a ${kind} has "${kind}", "options", "link" and "link_error".`,
          ),
        );
      }
    }
    const lists: Pick<CanvasNode, 'link' | 'link_error' | 'options'> = {
      link: this.list(value.link, `${path}.link`, 'link'),
      link_error: this.list(value.link_error, `${path}.link_error`, 'link_error'),
    };
    if (value.options !== undefined) {
      // Celery's `.set()` on a chain, group or chord: given to the members when applied.
      const r = parseLeaf(taskOptionsSchema, value.options, `${path}.options`, 'options');
      if (!r.ok) this.problems.push(...r.problems);
      else if (Object.keys(stripUndefined(r.value)).length > 0)
        lists.options = stripUndefined(r.value) as TaskOptions;
    }
    if (kind === 'chain' || kind === 'group' || kind === 'pipe') {
      const raw = value[kind];
      if (!Array.isArray(raw)) {
        this.problems.push(
          error(`${path}.${kind}`, `"${kind}" must be a list of nodes, not ${kindOf(raw)}.`),
        );
        return null;
      }
      const before = this.problems.length;
      const tasks = this.nodes(raw, `${path}.${kind}`);
      if (kind === 'pipe') {
        // Nothing to fold when a member could not be read (its problem is already reported).
        if (this.problems.length > before) return null;
        if (raw.length === 0) {
          this.problems.push(
            error(`${path}.pipe`, 'A pipe needs at least one node: there is nothing to combine with "|".'),
          );
          return null;
        }
        const linkConfig = { allowErrorCbOnChordHeader: this.config.task_allow_error_cb_on_chord_header };
        // One fold over composed operands: `pipe(acc, n)` step by step copied the whole chain each time.
        const composed = tasks.map((n) => composeCanvas(n, linkConfig));
        let folded: CanvasNode;
        try {
          folded = pipeAll(composed[0] as CanvasNode, composed.slice(1), linkConfig);
        } catch (err) {
          if (!(err instanceof NestingError)) throw err;
          this.problems.push(error(`${path}.pipe`, err.message));
          return null;
        }
        const out = {
          ...folded,
          link: [...folded.link, ...lists.link],
          link_error: [...folded.link_error, ...lists.link_error],
        };
        if (lists.options !== undefined) out.options = { ...folded.options, ...lists.options };
        return out;
      }
      if (kind === 'chain' && value.raw === true) return { type: kind, tasks, ...lists, raw: true };
      return { type: kind, tasks, ...lists };
    }
    const raw = value.chord;
    if (!isObject(raw)) {
      this.problems.push(
        error(
          `${path}.chord`,
          `"chord" must be an object {"header": […], "body": NODE}, not ${kindOf(raw)}.`,
        ),
      );
      return null;
    }
    for (const key of Object.keys(raw)) {
      if (key !== 'header' && key !== 'body') {
        this.problems.push(
          error(
            `${path}.chord.${key}`,
            `Unknown field "${key}" in a chord; a chord has "header" and "body".`,
          ),
        );
      }
    }
    if (!Array.isArray(raw.header)) {
      this.problems.push(
        error(
          `${path}.chord.header`,
          raw.header === undefined
            ? 'This chord has no "header": give a list of nodes (it may be empty).'
            : `"header" must be a list of nodes, not ${kindOf(raw.header)}.`,
        ),
      );
    }
    if (raw.body === undefined || raw.body === null) {
      this.problems.push(
        error(
          `${path}.chord.body`,
          'This chord has no body: add "body" with the node that receives the header results.',
        ),
      );
      return null;
    }
    const header = Array.isArray(raw.header) ? this.nodes(raw.header, `${path}.chord.header`) : [];
    const body = this.node(raw.body, `${path}.chord.body`);
    if (!body) return null;
    return { type: 'chord', header, body, ...lists };
  }

  private nodes(raw: unknown[], path: string): CanvasNode[] {
    const out: CanvasNode[] = [];
    raw.forEach((item, i) => {
      const n = this.node(item, `${path}[${i}]`);
      if (n) out.push(n);
    });
    return out;
  }

  private list(raw: unknown, path: string, what: string): CanvasNode[] {
    if (raw === undefined) return [];
    if (isObject(raw)) return this.nodes([raw], path).map((n) => n);
    if (!Array.isArray(raw)) {
      this.problems.push(error(path, `"${what}" must be a list of nodes, not ${kindOf(raw)}.`));
      return [];
    }
    return this.nodes(raw, path);
  }

  private task(value: Record<string, unknown>, path: string): TaskNode | null {
    const id = typeof value.id === 'string' ? value.id : undefined;
    let okay = true;
    for (const key of Object.keys(value)) {
      if (!TASK_FIELDS.has(key)) {
        this.problems.push(
          error(
            `${path}.${key}`,
            `Unknown field "${key}" on a task; did you mean to put it in "options" or "kwargs"?`,
            id,
          ),
        );
        okay = false;
      }
    }
    if (typeof value.task !== 'string' || value.task.trim() === '') {
      this.problems.push(
        error(
          `${path}.task`,
          `"task" must be a task name (a non-empty string), not ${kindOf(value.task)}.`,
          id,
        ),
      );
      okay = false;
    }
    if (value.args !== undefined && !Array.isArray(value.args)) {
      this.problems.push(error(`${path}.args`, `"args" must be a list, not ${kindOf(value.args)}.`, id));
      okay = false;
    }
    if (value.kwargs !== undefined && !isObject(value.kwargs)) {
      this.problems.push(
        error(`${path}.kwargs`, `"kwargs" must be an object, not ${kindOf(value.kwargs)}.`, id),
      );
      okay = false;
    }
    if (value.immutable !== undefined && typeof value.immutable !== 'boolean') {
      this.problems.push(
        error(`${path}.immutable`, `"immutable" must be true or false, not ${kindOf(value.immutable)}.`, id),
      );
      okay = false;
    }
    if (value.id !== undefined && typeof value.id !== 'string') {
      this.problems.push(error(`${path}.id`, `"id" must be a string label, not ${kindOf(value.id)}.`, id));
      okay = false;
    }
    let options = {};
    if (value.options !== undefined) {
      const r = parseLeaf(taskOptionsSchema, value.options, `${path}.options`, 'options', id);
      if (r.ok) options = stripUndefined(r.value);
      else {
        this.problems.push(...r.problems);
        okay = false;
      }
    }
    let sim: TaskNode['sim'];
    if (value.sim !== undefined) {
      const r = parseLeaf(simSchema, value.sim, `${path}.sim`, 'sim', id);
      if (r.ok) sim = stripUndefined(r.value) as TaskNode['sim'];
      else {
        this.problems.push(...r.problems);
        okay = false;
      }
    }
    const link = this.list(value.link, `${path}.link`, 'link');
    const link_error = this.list(value.link_error, `${path}.link_error`, 'link_error');
    if (!okay) return null;
    const node: TaskNode = {
      type: 'task',
      task: value.task as string,
      args: (value.args as Json[] | undefined) ?? [],
      kwargs: (value.kwargs as JsonObject | undefined) ?? {},
      immutable: (value.immutable as boolean | undefined) ?? false,
      options,
      link,
      link_error,
    };
    if (id !== undefined) node.id = id;
    if (sim !== undefined) node.sim = sim;
    return node;
  }
}

function stripUndefined<T extends object>(value: T): T {
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [
      k,
      v !== null && typeof v === 'object' && !Array.isArray(v) ? stripUndefined(v as object) : v,
    ]);
  return Object.fromEntries(entries) as T;
}

/** True when `value` looks like the `{canvas, invoke?, config?}` wrapper rather than a bare node. */
export function isFileWrapper(value: unknown): value is Record<string, unknown> {
  return isObject(value) && 'canvas' in value && !NODE_KEYS.some((k) => k in value);
}

/** Reads an already-parsed Canvas JSON value (bare NODE or file wrapper). */
export function canvasFileFromJson(value: unknown, root = 'canvas'): ParseResult<CanvasFile> {
  const problems: Problem[] = [];
  let nodeValue: unknown = value;
  let invoke: InvokeArgs = { args: [], kwargs: {} };
  let config: CanvasConfig = { ...DEFAULT_CONFIG };
  if (isFileWrapper(value)) {
    for (const key of Object.keys(value)) {
      if (!['canvas', 'invoke', 'config'].includes(key)) {
        problems.push(
          error(key, `Unknown top-level field "${key}"; a canvas file has "canvas", "invoke" and "config".`),
        );
      }
    }
    nodeValue = value.canvas;
    ({ invoke, config } = readWrapperFields(value, problems));
  } else if (isObject(value) && !NODE_KEYS.some((k) => k in value) && Object.keys(value).length === 0) {
    return fail([
      error('', 'The file is an empty object: give a canvas node such as {"task": "add", "args": [2, 2]}.'),
    ]);
  }
  const reader = new NodeReader(config);
  const canvas = nodeValue === undefined ? null : reader.node(nodeValue, root);
  if (nodeValue === undefined) problems.push(error(root, 'The file has no "canvas".'));
  problems.push(...reader.problems);
  if (problems.length > 0 || !canvas) return fail(problems);
  return ok({ canvas, invoke, config });
}

/** Reads Canvas JSON text. Syntax errors come with line and column. */
export function parseCanvasJson(text: string): ParseResult<CanvasFile> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return parsed;
  return canvasFileFromJson(parsed.value);
}

/** One node in compact Canvas JSON. */
export function nodeToCanvasJson(node: CanvasNode): Json {
  const lists = (n: CanvasNode): JsonObject => {
    const out: JsonObject = {};
    if (n.link.length > 0) out.link = n.link.map(nodeToCanvasJson);
    if (n.link_error.length > 0) out.link_error = n.link_error.map(nodeToCanvasJson);
    if (n.type !== 'task' && n.options !== undefined && Object.keys(n.options).length > 0)
      out.options = n.options as JsonObject;
    return out;
  };
  switch (node.type) {
    case 'task': {
      const sugar = sugarMapNode(node);
      const out: JsonObject = sugar === null ? { task: node.task } : { [sugar.kind]: sugar.body };
      if (sugar !== null) {
        if (node.id !== undefined) out.id = node.id;
        if (Object.keys(node.options).length > 0) out.options = node.options as JsonObject;
        if (node.sim !== undefined) out.sim = node.sim as unknown as JsonObject;
        return { ...out, ...lists(node) };
      }
      if (node.args.length > 0) out.args = node.args;
      if (Object.keys(node.kwargs).length > 0) out.kwargs = node.kwargs;
      if (node.immutable) out.immutable = true;
      if (node.id !== undefined) out.id = node.id;
      if (Object.keys(node.options).length > 0) out.options = node.options as JsonObject;
      if (node.sim !== undefined) out.sim = node.sim as unknown as JsonObject;
      return { ...out, ...lists(node) };
    }
    case 'chain': {
      const out: JsonObject = { chain: node.tasks.map(nodeToCanvasJson), ...lists(node) };
      // A raw chain is written as a plain chain unless folding its steps would build something else.
      if (node.raw === true && !deepEqual(composeCanvas({ ...node, raw: false }), composeCanvas(node)))
        out.raw = true;
      return out;
    }
    case 'group':
      return { group: node.tasks.map(nodeToCanvasJson), ...lists(node) };
    case 'chord':
      return {
        chord: { header: node.header.map(nodeToCanvasJson), body: nodeToCanvasJson(node.body) },
        ...lists(node),
      };
  }
}

/** A canvas file in compact Canvas JSON: a bare NODE when invoke and config are default. */
export function toCanvasJson(file: CanvasFile): Json {
  const canvas = nodeToCanvasJson(file.canvas);
  const invokeDefault = file.invoke.args.length === 0 && Object.keys(file.invoke.kwargs).length === 0;
  const configDefault = deepEqual(file.config, DEFAULT_CONFIG);
  if (invokeDefault && configDefault) return canvas;
  const out: JsonObject = { canvas };
  if (!invokeDefault) out.invoke = { args: file.invoke.args, kwargs: file.invoke.kwargs };
  if (!configDefault) out.config = { ...file.config };
  return out;
}
