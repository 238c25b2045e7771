/**
 * How many task signatures a canvas can plan once Celery's rules have run, bounded from above without
 * building anything: an errback (`link_error`) on a chain, group or chord is copied onto every task it
 * covers (`links.ts`), and a `chunks` node becomes one task per part (`chunks.ts`). A written canvas of
 * 100,000 tasks — a group of 50,000 with 50,000 errbacks, or one chunks node of 1,000,000 items — could
 * otherwise plan billions and exhaust memory; the gate refuses it with a sentence instead.
 */
import { CHUNKS_TASK } from './chunks';
import type { CanvasNode, TaskNode } from './model';

/** The tasks one `chunks` node becomes when applied (`chunksGroup`: parts of `n` items). */
export function chunkParts(node: TaskNode): number {
  const it = node.kwargs.it;
  if (!Array.isArray(it)) return 0;
  const n = typeof node.kwargs.n === 'number' && node.kwargs.n >= 1 ? Math.floor(node.kwargs.n) : 1;
  return Math.ceil(it.length / n);
}

interface Frame {
  node: CanvasNode;
  /** Children pushed already (second visit: sum them up). */
  open: boolean;
}

/** The children an errback on `node` is passed down to (a chord's header members and body). */
function members(node: CanvasNode): readonly CanvasNode[] {
  if (node.type === 'chain' || node.type === 'group') return node.tasks;
  if (node.type === 'chord') return [...node.header, node.body];
  return [];
}

/**
 * Whether steps after this node in a chain end up in a body it heads: `chord | x` is `chord(header,
 * body | x)` and `group | x` is `chord(group, x)`, so an errback on it (or on a chain holding it, which
 * Celery copies onto the chain's steps) reaches them too.
 */
function absorbs(node: CanvasNode, absorbing: ReadonlySet<CanvasNode>): boolean {
  if (node.type === 'chord') return true;
  if (node.type === 'group') {
    if (node.tasks.length === 1) return absorbing.has(node.tasks[0] as CanvasNode);
    return node.tasks.length > 1;
  }
  return node.type === 'chain' && node.tasks.some((t) => absorbing.has(t));
}

interface Covers {
  /** Tasks an errback on the node reaches, not counting the steps it absorbs. */
  covered: Map<CanvasNode, number>;
  /** Nodes that take the steps after them into a body (`absorbs`). */
  absorbing: Set<CanvasNode>;
}

/** `Covers` of every node (post-order). */
function ownCovers(root: CanvasNode): Covers {
  const covered = new Map<CanvasNode, number>();
  const absorbing = new Set<CanvasNode>();
  const stack: Frame[] = [{ node: root, open: false }];
  for (let f = stack.pop(); f !== undefined; f = stack.pop()) {
    const { node } = f;
    if (!f.open) {
      stack.push({ node, open: true });
      for (const n of node.link) stack.push({ node: n, open: false });
      for (const n of node.link_error) stack.push({ node: n, open: false });
      for (const n of members(node)) stack.push({ node: n, open: false });
      continue;
    }
    let cover = 0;
    if (node.type === 'task') cover = node.task === CHUNKS_TASK ? chunkParts(node) : 1;
    else for (const c of members(node)) cover += covered.get(c) ?? 0;
    covered.set(node, cover);
    if (absorbs(node, absorbing)) absorbing.add(node);
  }
  return { covered, absorbing };
}

interface PlanFrame extends Frame {
  /** Tasks after this node in its chain (or after the chord whose body it is): see `absorbs`. */
  after: number;
}

/**
 * An upper bound of the task signatures `planRun` makes of `root` (callbacks and errbacks included).
 * Per node: `covered` = tasks an errback on it reaches (its tasks, not those of its callbacks; for a
 * node that `absorbs` also every task after it in its chain), and `planned` =
 * its children's + its callbacks' once + its errbacks' once per covered task. Iterative, a float (a
 * hostile canvas may bound at 1e300; compare, do not print it raw).
 */
export function plannedTaskBound(root: CanvasNode): number {
  const { covered, absorbing } = ownCovers(root);
  const planned = new Map<CanvasNode, number>();
  const stack: PlanFrame[] = [{ node: root, open: false, after: 0 }];
  for (let f = stack.pop(); f !== undefined; f = stack.pop()) {
    const { node, after } = f;
    if (!f.open) {
      stack.push({ node, open: true, after });
      for (const n of node.link) stack.push({ node: n, open: false, after: 0 });
      for (const n of node.link_error) stack.push({ node: n, open: false, after: 0 });
      if (node.type === 'chain') {
        // Nested chains are spliced: what follows the chain follows its last step.
        let rest = after;
        for (let i = node.tasks.length - 1; i >= 0; i--) {
          const n = node.tasks[i] as CanvasNode;
          stack.push({ node: n, open: false, after: rest });
          rest += covered.get(n) ?? 0;
        }
      } else if (node.type === 'group') {
        // A one-member group is unrolled into its place; a wider one's members are followed by nothing.
        const pass = node.tasks.length === 1 ? after : 0;
        for (const n of node.tasks) stack.push({ node: n, open: false, after: pass });
      } else if (node.type === 'chord') {
        for (const n of node.header) stack.push({ node: n, open: false, after: 0 });
        stack.push({ node: node.body, open: false, after });
      }
      continue;
    }
    const cover = (covered.get(node) ?? 0) + (absorbing.has(node) ? after : 0);
    let total = node.type === 'task' ? cover : 0;
    for (const c of members(node)) total += planned.get(c) ?? 0;
    for (const cb of node.link) total += planned.get(cb) ?? 0;
    for (const eb of node.link_error) total += cover * (planned.get(eb) ?? 0);
    // A node object used twice (built in code, not parsed) keeps its larger bound.
    planned.set(node, Math.max(total, planned.get(node) ?? 0));
  }
  return planned.get(root) ?? 0;
}
