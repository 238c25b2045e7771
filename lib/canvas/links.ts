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

function appendUnique(list: readonly CanvasNode[], item: CanvasNode): CanvasNode[] {
  // Celery's append_to_list_option skips a signature equal to one already linked.
  return list.some((x) => deepEqual(x, item)) ? [...list] : [...list, item];
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
  switch (node.type) {
    case 'task':
    case 'chain':
      return { ...node, link: appendUnique(node.link, cb) };
    case 'group': {
      const [first, ...rest] = node.tasks;
      if (first === undefined) return { ...node, link: appendUnique(node.link, cb) };
      return { ...node, tasks: [applyLink(first, setImmutable(cb)), ...rest] };
    }
    case 'chord':
      return { ...node, body: applyLink(node.body, cb) };
  }
}

/** Celery `node.link_error(eb)`. */
export function applyLinkError(
  node: CanvasNode,
  eb: CanvasNode,
  config: LinkConfig = DEFAULT_LINK_CONFIG,
): CanvasNode {
  switch (node.type) {
    case 'task':
    case 'chain':
      return { ...node, link_error: appendUnique(node.link_error, eb) };
    case 'group':
      if (node.tasks.length === 0) return { ...node, link_error: appendUnique(node.link_error, eb) };
      return { ...node, tasks: node.tasks.map((t) => applyLinkError(t, eb, config)) };
    case 'chord': {
      const header = node.header.map((member) => {
        let out = member;
        if (config.allowErrorCbOnChordHeader) out = applyLinkError(out, eb, config);
        else if (out.type === 'chord') out = applyLinkError(out, eb, config);
        return out;
      });
      return { ...node, header, body: applyLinkError(node.body, eb, config) };
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
  let out: CanvasNode = { ...node, link: [], link_error: [] };
  for (const cb of node.link) out = applyLink(out, cb);
  for (const eb of node.link_error) out = applyLinkError(out, eb, config);
  return out as T;
}

/**
 * Celery `chain.unchain_tasks()` (5.3+): the chain's steps with its callbacks moved to the last step and
 * its errbacks copied to every step (celery-semantics.md 4.3).
 */
export function unchainTasks(node: ChainNode, config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode[] {
  const tasks = [...node.tasks];
  const lastIndex = tasks.length - 1;
  if (lastIndex >= 0) {
    for (const cb of node.link) tasks[lastIndex] = applyLink(tasks[lastIndex] as CanvasNode, cb);
  }
  return tasks.map((t) =>
    node.link_error.reduce<CanvasNode>((acc, eb) => applyLinkError(acc, eb, config), t),
  );
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
