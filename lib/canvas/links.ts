/**
 * Celery's `link()` / `link_error()` methods as pure functions (celery-semantics.md 3, 4.3, 5, 6.5):
 * where a callback or errback attached to a node really lands. A task and a chain keep it in their own
 * options; a group passes `link` to its first member as an immutable copy and `link_error` to every
 * member; a chord passes both to its body (and `link_error` to header members when
 * `task_allow_error_cb_on_chord_header` is set, plus to chords nested directly in the header).
 *
 * `normalizeCanvas` uses these when Celery's composition dissolves a group or chord; the Celery JSON
 * export and the engine's planner use `pushDownLinks` to place every remaining composite link.
 */
import { deepEqual } from './build';
import type { CanvasNode, ChainNode, ChordNode, GroupNode } from './model';

export interface LinkConfig {
  /** Celery's `task_allow_error_cb_on_chord_header`. */
  allowErrorCbOnChordHeader: boolean;
}

export const DEFAULT_LINK_CONFIG: LinkConfig = { allowErrorCbOnChordHeader: false };

/** Up to this many list entries, plain `deepEqual` comparisons are cheaper than keys. */
const FEW = 16;

/**
 * Celery's `append_to_list_option` for each item in turn: an item equal to one already listed (or
 * appended before it) is skipped. Long lists compare canonical keys (`linkKey`) in a set: 50,000 errbacks
 * on a group were 50,000² comparisons. `keys` memoizes the keys of one batch's nodes.
 */
function appendAllUnique(
  list: readonly CanvasNode[],
  items: readonly CanvasNode[],
  keys: Map<CanvasNode, string>,
): CanvasNode[] {
  const out = [...list];
  if (out.length + items.length <= FEW) {
    for (const item of items) if (!out.some((x) => deepEqual(x, item))) out.push(item);
    return out;
  }
  const keyOf = (node: CanvasNode): string => {
    let key = keys.get(node);
    if (key === undefined) {
      key = linkKey(node);
      keys.set(node, key);
    }
    return key;
  };
  const seen = new Set(out.map(keyOf));
  for (const item of items) {
    const key = keyOf(item);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

/** A text equal for two values exactly when `deepEqual` says they are (keys sorted, undefined left out). */
export function linkKey(value: unknown): string {
  const out: string[] = [];
  const put = (v: unknown): void => {
    if (v === null) out.push('n');
    else if (typeof v === 'number') out.push(Number.isNaN(v) ? 'N' : `#${v === 0 ? 0 : v}`);
    else if (typeof v === 'string') out.push(JSON.stringify(v));
    else if (typeof v === 'boolean') out.push(v ? 't' : 'f');
    else if (v === undefined) out.push('u');
    else if (Array.isArray(v)) {
      out.push('[');
      for (const x of v) {
        put(x);
        out.push(',');
      }
      out.push(']');
    } else if (typeof v === 'object') {
      const o = v as Record<string, unknown>;
      out.push('{');
      for (const k of Object.keys(o).sort()) {
        if (o[k] === undefined) continue;
        out.push(JSON.stringify(k), ':');
        put(o[k]);
        out.push(',');
      }
      out.push('}');
    } else out.push(`?${typeof v}:${String(v)}`);
  };
  put(value);
  return out.join('');
}

/** Celery `sig.set(immutable=True)`: a chain's first step, a group's members, a chord's header. */
export function setImmutable(node: CanvasNode): CanvasNode {
  switch (node.type) {
    case 'task':
      return { ...node, immutable: true };
    case 'chain': {
      // An immutable chain ignores call-time args, which is what an immutable first step does.
      const [first, ...rest] = node.tasks;
      return first === undefined ? node : { ...node, tasks: [setImmutable(first), ...rest] };
    }
    case 'group':
      return { ...node, tasks: node.tasks.map(setImmutable) };
    case 'chord':
      return { ...node, header: node.header.map(setImmutable) };
  }
}

/** Celery `node.link(cb)`. An empty group cannot take a link (Celery raises); it keeps it instead. */
export function applyLink(node: CanvasNode, cb: CanvasNode): CanvasNode {
  return applyLinks(node, [cb]);
}

/** `node.link(cb)` for each of `cbs` in turn, in one pass (a copy of `node` per list, not per callback). */
export function applyLinks(
  node: CanvasNode,
  cbs: readonly CanvasNode[],
  keys: Map<CanvasNode, string> = new Map(),
): CanvasNode {
  if (cbs.length === 0) return node;
  switch (node.type) {
    case 'task':
    case 'chain':
      return { ...node, link: appendAllUnique(node.link, cbs, keys) };
    case 'group': {
      const [first, ...rest] = node.tasks;
      if (first === undefined) return { ...node, link: appendAllUnique(node.link, cbs, keys) };
      return { ...node, tasks: [applyLinks(first, cbs.map(setImmutable), keys), ...rest] };
    }
    case 'chord':
      return { ...node, body: applyLinks(node.body, cbs, keys) };
  }
}

/** Celery `node.link_error(eb)`. */
export function applyLinkError(
  node: CanvasNode,
  eb: CanvasNode,
  config: LinkConfig = DEFAULT_LINK_CONFIG,
): CanvasNode {
  return applyLinkErrors(node, [eb], config);
}

/** `node.link_error(eb)` for each of `ebs` in turn, in one pass. */
export function applyLinkErrors(
  node: CanvasNode,
  ebs: readonly CanvasNode[],
  config: LinkConfig = DEFAULT_LINK_CONFIG,
  keys: Map<CanvasNode, string> = new Map(),
): CanvasNode {
  if (ebs.length === 0) return node;
  switch (node.type) {
    case 'task':
    case 'chain':
      return { ...node, link_error: appendAllUnique(node.link_error, ebs, keys) };
    case 'group':
      if (node.tasks.length === 0)
        return { ...node, link_error: appendAllUnique(node.link_error, ebs, keys) };
      return { ...node, tasks: node.tasks.map((t) => applyLinkErrors(t, ebs, config, keys)) };
    case 'chord': {
      const header = node.header.map((member) =>
        config.allowErrorCbOnChordHeader || member.type === 'chord'
          ? applyLinkErrors(member, ebs, config, keys)
          : member,
      );
      return { ...node, header, body: applyLinkErrors(node.body, ebs, config, keys) };
    }
  }
}

/**
 * Moves a group's or chord's own `link`/`link_error` to where Celery would have put them (one level;
 * a task or chain keeps its own). Used when composition dissolves or rebuilds the node.
 */
export function settleOwnLinks<T extends GroupNode | ChordNode>(
  node: T,
  config: LinkConfig = DEFAULT_LINK_CONFIG,
): T {
  const keys = new Map<CanvasNode, string>();
  const bare: CanvasNode = { ...node, link: [], link_error: [] };
  return applyLinkErrors(applyLinks(bare, node.link, keys), node.link_error, config, keys) as T;
}

/**
 * Celery `chain.unchain_tasks()` (5.3+): the chain's steps with its callbacks moved to the last step and
 * its errbacks copied to every step (celery-semantics.md 4.3).
 */
export function unchainTasks(node: ChainNode, config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode[] {
  const tasks = [...node.tasks];
  const lastIndex = tasks.length - 1;
  const keys = new Map<CanvasNode, string>();
  if (lastIndex >= 0) tasks[lastIndex] = applyLinks(tasks[lastIndex] as CanvasNode, node.link, keys);
  if (node.link_error.length === 0) return tasks;
  return tasks.map((t) => applyLinkErrors(t, node.link_error, config, keys));
}

/**
 * `list` with `f(item, config)` applied to every item; the very same array when `f` returned every item
 * unchanged (structural sharing: the canvas passes keep untouched subtrees instead of copying them).
 */
export function mapNodes(
  list: CanvasNode[],
  f: (node: CanvasNode, config: LinkConfig) => CanvasNode,
  config: LinkConfig,
): CanvasNode[] {
  let out: CanvasNode[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as CanvasNode;
    const next = f(item, config);
    if (out === undefined) {
      if (next === item) continue;
      out = list.slice(0, i);
    }
    out.push(next);
  }
  return out ?? list;
}

/**
 * Places every composite link where Celery's `link()`/`link_error()` put them, recursively: afterwards
 * only tasks and chains (and empty groups, which cannot take links) carry `link`/`link_error`.
 * Subtrees without composite links are returned as they are (shared, never modified).
 */
export function pushDownLinks(node: CanvasNode, config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode {
  // Most nodes of a big canvas are plain tasks: nothing to do.
  if (node.type === 'task' && node.link.length === 0 && node.link_error.length === 0) return node;
  const link = mapNodes(node.link, pushDownLinks, config);
  const link_error = mapNodes(node.link_error, pushDownLinks, config);
  const same = link === node.link && link_error === node.link_error;
  const none = link.length === 0 && link_error.length === 0;
  switch (node.type) {
    case 'task':
      return same ? node : { ...node, link, link_error };
    case 'chain': {
      const tasks = mapNodes(node.tasks, pushDownLinks, config);
      return same && tasks === node.tasks ? node : { ...node, link, link_error, tasks };
    }
    case 'group': {
      const tasks = mapNodes(node.tasks, pushDownLinks, config);
      if (none) return tasks === node.tasks ? node : { ...node, link, link_error, tasks };
      return settleOwnLinks({ ...node, link, link_error, tasks }, config);
    }
    case 'chord': {
      const header = mapNodes(node.header, pushDownLinks, config);
      const body = pushDownLinks(node.body, config);
      if (none) {
        return header === node.header && body === node.body
          ? node
          : { ...node, link, link_error, header, body };
      }
      return settleOwnLinks({ ...node, link, link_error, header, body }, config);
    }
  }
}
