/**
 * Celery's `|` operator (5.6 semantics: `Signature.__or__`, `_chain.__or__`, `group.__or__`,
 * `_chord.__or__`) as a fold: `celery.chain(*nodes)` and a Canvas JSON `pipe` apply it step by step.
 *
 * Celery copies the chain at every step (`type(self)(seq_concat_item(tasks, other))`), which is
 * quadratic: a chain of 100,000 one-step chains took minutes. A fold here builds the same trees, but a
 * chain or chord it made itself (and nothing else holds) is changed in place instead of copied, so
 * every step costs what it adds. Input nodes are never modified. `normalizeReference.ts` keeps the
 * copying version; the differential tests check both build the very same trees.
 *
 * A fold may nest deeply (a chain `group, task, group, task, …` puts each chord in the previous one's
 * body): past `COMPOSED_DEPTH_CEILING` levels it throws a `NestingError` with a sentence instead of
 * exhausting the stack here or in any later recursive pass.
 */
import { DEFAULT_LINK_CONFIG, type LinkConfig, settleOwnLinks, unchainTasks } from './links';
import type { CanvasNode, ChainNode, ChordNode, GroupNode } from './model';

/**
 * Deepest nesting a composed or normalized canvas may reach (Celery's own limit is about the same:
 * Python's recursion limit of 1,000 stops it serializing deeper canvases). Every recursive pass after
 * composition (links, `.set()` options, planner, exporters, simulator) has stack to spare at this depth.
 */
export const COMPOSED_DEPTH_CEILING = 1_000;

/** A canvas whose composition nests deeper than `COMPOSED_DEPTH_CEILING` (the message is a sentence). */
export class NestingError extends Error {
  override name = 'NestingError';

  constructor() {
    super(
      `Celery's composition nests this canvas more than ${COMPOSED_DEPTH_CEILING} levels deep (a group followed by more steps in a chain becomes a chord holding the rest in its body, so long chains of groups nest); split it into smaller canvases.`,
    );
  }
}

/** One fold's state: the nodes it made and holds alone (changed in place), and how deep it went. */
export interface Fold {
  config: LinkConfig;
  owned: WeakSet<CanvasNode>;
  depth: number;
}

/** A fresh fold: nothing owned yet. */
export function newFold(config: LinkConfig = DEFAULT_LINK_CONFIG): Fold {
  return { config, owned: new WeakSet(), depth: 0 };
}

const PLAIN_CHAIN_KEYS = ['type', 'tasks', 'link', 'link_error', 'raw'];

/** True when `a` is exactly what `mkChain(a.tasks)` builds (so it may stand for a new one). */
function isPlainChain(a: ChainNode): boolean {
  if (a.link.length > 0 || a.link_error.length > 0 || a.raw !== true) return false;
  let i = 0;
  for (const key in a) if (key !== PLAIN_CHAIN_KEYS[i++]) return false;
  return i === PLAIN_CHAIN_KEYS.length;
}

function mkChain(fold: Fold, tasks: CanvasNode[]): ChainNode {
  const chain: ChainNode = { type: 'chain', tasks, link: [], link_error: [], raw: true };
  fold.owned.add(chain);
  return chain;
}

/** chord(group, body): `_maybe_group` keeps only the group's members, so its links go to them first. */
export function mkChord(header: GroupNode, body: CanvasNode, config: LinkConfig): ChordNode {
  const settled = settleOwnLinks(header, config);
  return { type: 'chord', header: settled.tasks, body, link: [], link_error: [] };
}

function ownChord(fold: Fold, header: GroupNode, body: CanvasNode): ChordNode {
  const chord = mkChord(header, body, fold.config);
  fold.owned.add(chord);
  return chord;
}

/** Celery `maybe_unroll_group`: a one-member group becomes its member (its links moved to the member). */
export function maybeUnrollGroup(g: GroupNode, config: LinkConfig): CanvasNode {
  if (g.tasks.length !== 1) return g;
  return settleOwnLinks(g, config).tasks[0] as CanvasNode;
}

/** A chord whose body is replaced: its own links go to the old body first (Celery linked them there). */
function withBody(fold: Fold, c: ChordNode, b: CanvasNode): ChordNode {
  if (++fold.depth > COMPOSED_DEPTH_CEILING) throw new NestingError();
  let out: ChordNode;
  if (fold.owned.has(c) && c.link.length === 0 && c.link_error.length === 0) {
    c.body = orOp(fold, c.body, b);
    out = c;
  } else {
    const settled = settleOwnLinks(c, fold.config);
    out = { ...settled, body: orOp(fold, settled.body, b) };
    fold.owned.add(out);
  }
  fold.depth--;
  return out;
}

/** `a | b` on composed operands, in `fold` (nodes it owns may be changed in place). */
export function orOp(fold: Fold, a: CanvasNode, b: CanvasNode): CanvasNode {
  switch (a.type) {
    case 'task':
      return signatureOr(fold, a, b);
    case 'group':
      // group | empty group -> the group; group | anything -> chord(group, body=anything).
      if (b.type === 'group' && b.tasks.length === 0) return a;
      return ownChord(fold, a, b);
    case 'chord':
      if (b.type === 'task' || b.type === 'chord') return withBody(fold, a, b);
      if (b.type === 'group' && b.tasks.length === 1)
        return withBody(fold, a, maybeUnrollGroup(b, fold.config));
      return signatureOr(fold, a, b);
    case 'chain':
      return chainOr(fold, a, b);
  }
}

/** `Signature.__or__` for a task (or a chord falling back to it). */
function signatureOr(fold: Fold, a: CanvasNode, b: CanvasNode): CanvasNode {
  if (b.type === 'chain') return mkChain(fold, [a, ...unchainTasks(b, fold.config)]);
  if (b.type === 'group') return mkChain(fold, [a, maybeUnrollGroup(b, fold.config)]);
  return mkChain(fold, [a, b]);
}

/**
 * `chain.unchain_tasks()` of the fold's chain `a` as a list the caller may change, and the chain that
 * `mkChain(list)` may be: `a` itself when the fold owns it and it has nothing to unchain.
 */
function unchained(fold: Fold, a: ChainNode): { tasks: CanvasNode[]; reuse: ChainNode | null } {
  if (fold.owned.has(a) && isPlainChain(a)) return { tasks: a.tasks, reuse: a };
  return { tasks: unchainTasks(a, fold.config), reuse: null };
}

/** `{...a, tasks, raw: true}` with `tasks` a's steps to change: `a` itself when the fold owns it. */
function keptChain(fold: Fold, a: ChainNode): ChainNode {
  if (fold.owned.has(a)) return a;
  const out: ChainNode = { ...a, tasks: [...a.tasks], raw: true };
  fold.owned.add(out);
  return out;
}

/** `_chain.__or__`. */
function chainOr(fold: Fold, a: ChainNode, b: CanvasNode): CanvasNode {
  if (b.type === 'group') {
    const other = maybeUnrollGroup(b, fold.config);
    if (other.type !== 'group') return chainOr(fold, a, other);
    const { tasks, reuse } = unchained(fold, a);
    const last = tasks[tasks.length - 1];
    if (last === undefined) return other;
    if (last.type === 'chord') tasks[tasks.length - 1] = withBody(fold, last, other);
    else tasks.push(other);
    return reuse ?? mkChain(fold, tasks);
  }
  if (b.type === 'chain') {
    let acc: CanvasNode = a;
    for (const step of unchainTasks(b, fold.config)) acc = orOp(fold, acc, step);
    return acc;
  }
  const last = a.tasks[a.tasks.length - 1];
  if (last?.type === 'group') {
    // CHAIN[..., group] | X -> the group becomes chord(group, X); the chain keeps its own options.
    const out = keptChain(fold, a);
    const tasks = out.tasks;
    tasks[tasks.length - 1] = ownChord(fold, last, b);
    const prev = tasks[tasks.length - 2];
    if (tasks.length > 1 && prev?.type === 'chord') {
      // Two consecutive chords: the new one is chained into the previous chord's body.
      const newest = tasks.pop() as CanvasNode;
      tasks[tasks.length - 1] = withBody(fold, prev, newest);
    }
    return out;
  }
  if (last?.type === 'chord' && b.type !== 'chord') {
    const out = keptChain(fold, a);
    out.tasks[out.tasks.length - 1] = withBody(fold, last, b);
    return out;
  }
  const { tasks, reuse } = unchained(fold, a);
  tasks.push(b);
  return reuse ?? mkChain(fold, tasks);
}

/**
 * `celery.chain(*nodes)` on composed nodes: a left fold with `|` from an empty chain; a single node
 * stays wrapped. The nodes are not modified.
 */
export function chainOf(nodes: readonly CanvasNode[], config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode {
  const fold = newFold(config);
  if (nodes.length <= 1) return mkChain(fold, [...nodes]);
  let acc: CanvasNode = mkChain(fold, []);
  for (const node of nodes) acc = orOp(fold, acc, node);
  return acc;
}

/** `first | rest[0] | rest[1] | …` on composed nodes, in one fold (a Canvas JSON `pipe`). */
export function pipeAll(
  first: CanvasNode,
  rest: readonly CanvasNode[],
  config: LinkConfig = DEFAULT_LINK_CONFIG,
): CanvasNode {
  const fold = newFold(config);
  let acc = first;
  for (const node of rest) acc = orOp(fold, acc, node);
  return acc;
}
