/**
 * Small constructors for canvas nodes (tests, examples, importers). They fill the empty defaults the
 * model requires (`args`, `kwargs`, `link`, `link_error`, `options`).
 */
import type {
  CanvasFile,
  CanvasNode,
  ChainNode,
  ChordNode,
  GroupNode,
  Json,
  JsonObject,
  TaskNode,
  TaskOptions,
} from './model';

/** Extra fields of a task node besides name and args. */
export type TaskExtras = Partial<Omit<TaskNode, 'type' | 'task' | 'args'>>;

/** A mutable task signature, like `name.s(*args)`. */
export function task(name: string, args: Json[] = [], extras: TaskExtras = {}): TaskNode {
  const node: TaskNode = {
    type: 'task',
    task: name,
    args,
    kwargs: extras.kwargs ?? {},
    immutable: extras.immutable ?? false,
    options: extras.options ?? {},
    link: extras.link ?? [],
    link_error: extras.link_error ?? [],
  };
  if (extras.id !== undefined) node.id = extras.id;
  if (extras.sim !== undefined) node.sim = extras.sim;
  return node;
}

/** An immutable task signature, like `name.si(*args)`. */
export function taskSi(name: string, args: Json[] = [], extras: TaskExtras = {}): TaskNode {
  return task(name, args, { ...extras, immutable: true });
}

/** A chain node holding `tasks` as written (no composition applied). */
export function chain(...tasks: CanvasNode[]): ChainNode {
  return { type: 'chain', tasks, link: [], link_error: [] };
}

/** A group node. */
export function group(...tasks: CanvasNode[]): GroupNode {
  return { type: 'group', tasks, link: [], link_error: [] };
}

/** A chord node. */
export function chord(header: CanvasNode[], body: CanvasNode): ChordNode {
  return { type: 'chord', header, body, link: [], link_error: [] };
}

/** Returns `node` with `cb` appended to its callbacks (a copy; the input is not modified). */
export function withLink<T extends CanvasNode>(node: T, ...cbs: CanvasNode[]): T {
  return { ...node, link: [...node.link, ...cbs] };
}

/** Returns `node` with `eb` appended to its errbacks (a copy). */
export function withLinkError<T extends CanvasNode>(node: T, ...ebs: CanvasNode[]): T {
  return { ...node, link_error: [...node.link_error, ...ebs] };
}

/** A canvas file with default invoke arguments and config. */
export function canvasFile(
  canvas: CanvasNode,
  invoke: { args?: Json[]; kwargs?: JsonObject } = {},
): CanvasFile {
  return {
    canvas,
    invoke: { args: invoke.args ?? [], kwargs: invoke.kwargs ?? {} },
    config: { task_allow_error_cb_on_chord_header: false },
  };
}

/** Options helper that keeps `exactOptionalPropertyTypes` happy when copying. */
export function cleanOptions(options: TaskOptions): TaskOptions {
  const out: TaskOptions = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Deep structural equality of JSON-like values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  // Own keys only: `bo.__proto__` of an object without that key is Object.prototype, which a parsed
  // `{"__proto__": {}}` would otherwise equal.
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

/**
 * A one-line picture of a tree's structure, e.g. `chain(a, chord([b, c], d))` — for messages and tests.
 * Immutable tasks get a `~` suffix; links are not shown.
 */
export function shapeOf(node: CanvasNode): string {
  switch (node.type) {
    case 'task':
      return `${node.task}${node.immutable ? '~' : ''}`;
    case 'chain':
      return `chain(${node.tasks.map(shapeOf).join(', ')})`;
    case 'group':
      return `group(${node.tasks.map(shapeOf).join(', ')})`;
    case 'chord':
      return `chord([${node.header.map(shapeOf).join(', ')}], ${shapeOf(node.body)})`;
  }
}
