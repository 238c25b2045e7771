/**
 * Reference (test oracle) for `normalize.ts` and `pushDownLinks`: the straightforward composition that
 * copies every node, kept unchanged so property tests can check that the structurally-sharing versions
 * build exactly the same trees. Not used by the product.
 */
import { DEFAULT_LINK_CONFIG, type LinkConfig, settleOwnLinks, unchainTasks } from './links';
import type { CanvasNode, ChainNode, ChordNode, GroupNode } from './model';

function mkChain(tasks: CanvasNode[]): ChainNode {
  return { type: 'chain', tasks, link: [], link_error: [], raw: true };
}

function mkChord(header: GroupNode, body: CanvasNode, config: LinkConfig): ChordNode {
  // chord(group, body): `_maybe_group` keeps only the group's members, so its links go to them first.
  const settled = settleOwnLinks(header, config);
  return { type: 'chord', header: settled.tasks, body, link: [], link_error: [] };
}

/** Celery `maybe_unroll_group`: a one-member group becomes its member (its links moved to the member). */
function maybeUnrollGroup(g: GroupNode, config: LinkConfig): CanvasNode {
  if (g.tasks.length !== 1) return g;
  return settleOwnLinks(g, config).tasks[0] as CanvasNode;
}

/** A chord whose body is replaced: its own links go to the old body first (Celery linked them there). */
function withBody(c: ChordNode, f: (body: CanvasNode) => CanvasNode, config: LinkConfig): ChordNode {
  const settled = settleOwnLinks(c, config);
  return { ...settled, body: f(settled.body) };
}

/** `a | b` on composed operands. */
function orOp(a: CanvasNode, b: CanvasNode, config: LinkConfig): CanvasNode {
  switch (a.type) {
    case 'task':
      return signatureOr(a, b, config);
    case 'group':
      // group | empty group -> the group; group | anything -> chord(group, body=anything).
      if (b.type === 'group' && b.tasks.length === 0) return a;
      return mkChord(a, b, config);
    case 'chord':
      if (b.type === 'task' || b.type === 'chord') {
        return withBody(a, (body) => orOp(body, b, config), config);
      }
      if (b.type === 'group' && b.tasks.length === 1) {
        const member = maybeUnrollGroup(b, config);
        return withBody(a, (body) => orOp(body, member, config), config);
      }
      return signatureOr(a, b, config);
    case 'chain':
      return chainOr(a, b, config);
  }
}

/** `Signature.__or__` for a task (or a chord falling back to it). */
function signatureOr(a: CanvasNode, b: CanvasNode, config: LinkConfig): CanvasNode {
  if (b.type === 'chain') return mkChain([a, ...unchainTasks(b, config)]);
  if (b.type === 'group') return mkChain([a, maybeUnrollGroup(b, config)]);
  return mkChain([a, b]);
}

/** `_chain.__or__`. */
function chainOr(a: ChainNode, b: CanvasNode, config: LinkConfig): CanvasNode {
  if (b.type === 'group') {
    const other = maybeUnrollGroup(b, config);
    if (other.type !== 'group') return chainOr(a, other, config);
    const tasks = unchainTasks(a, config);
    const last = tasks[tasks.length - 1];
    if (last === undefined) return other;
    if (last.type === 'chord') {
      tasks[tasks.length - 1] = withBody(last, (body) => orOp(body, other, config), config);
      return mkChain(tasks);
    }
    return mkChain([...tasks, other]);
  }
  if (b.type === 'chain') {
    return unchainTasks(b, config).reduce<CanvasNode>((acc, step) => orOp(acc, step, config), a);
  }
  const last = a.tasks[a.tasks.length - 1];
  if (last?.type === 'group') {
    // CHAIN[..., group] | X -> the group becomes chord(group, X); the chain keeps its own options.
    const tasks = [...a.tasks];
    tasks[tasks.length - 1] = mkChord(last, b, config);
    const prev = tasks[tasks.length - 2];
    if (tasks.length > 1 && prev?.type === 'chord') {
      // Two consecutive chords: the new one is chained into the previous chord's body.
      const newest = tasks.pop() as CanvasNode;
      tasks[tasks.length - 1] = withBody(prev, (body) => orOp(body, newest, config), config);
    }
    return { ...a, tasks, raw: true };
  }
  if (last?.type === 'chord' && b.type !== 'chord') {
    const tasks = [...a.tasks];
    tasks[tasks.length - 1] = withBody(last, (body) => orOp(body, b, config), config);
    return { ...a, tasks, raw: true };
  }
  return mkChain([...unchainTasks(a, config), b]);
}

/** `celery.chain(*nodes)`: a left fold with `|` from an empty chain; a single node stays wrapped. */
function chainOf(nodes: readonly CanvasNode[], config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode {
  if (nodes.length <= 1) return mkChain([...nodes]);
  return nodes.reduce<CanvasNode>((acc, n) => orOp(acc, n, config), mkChain([]));
}

/** Adds `node`'s own links (from the file) to a freshly composed result: what `c.link(l)` does after build. */
function carryLinks(result: CanvasNode, source: CanvasNode): CanvasNode {
  if (source.link.length === 0 && source.link_error.length === 0) return result;
  return {
    ...result,
    link: [...result.link, ...source.link],
    link_error: [...result.link_error, ...source.link_error],
  };
}

/**
 * Applies `|` composition everywhere: every chain node is rebuilt like `celery.chain(*nodes)`, pipes
 * included. The result is what Celery builds (before `prepare_steps`).
 */
export function referenceComposeCanvas(
  node: CanvasNode,
  config: LinkConfig = DEFAULT_LINK_CONFIG,
): CanvasNode {
  const sub = (n: CanvasNode): CanvasNode => referenceComposeCanvas(n, config);
  const lists = { link: node.link.map(sub), link_error: node.link_error.map(sub) };
  switch (node.type) {
    case 'task':
      return { ...node, ...lists };
    case 'group':
      return { ...node, ...lists, tasks: node.tasks.map(sub) };
    case 'chord':
      return { ...node, ...lists, header: node.header.map(sub), body: sub(node.body) };
    case 'chain': {
      // A raw chain is already what Celery holds (`_chain(tasks)`); only its steps are composed.
      if (node.raw === true) return { ...node, ...lists, tasks: node.tasks.map(sub) };
      const built = chainOf(node.tasks.map(sub), config);
      return carryLinks(built, { ...node, ...lists });
    }
  }
}

/**
 * `chain.prepare_steps` structure rules applied to one chain (steps already prepared): walks the steps
 * backwards like Celery, splicing chains, unrolling one-member groups, skipping empty groups and
 * upgrading a group followed by a step into a chord with that step as body.
 */
function prepareChain(node: ChainNode, config: LinkConfig): ChainNode {
  const steps = [...node.tasks];
  const out: CanvasNode[] = []; // reversed, like Celery's
  let prev: CanvasNode | null = null;
  while (steps.length > 0) {
    let step = steps.pop() as CanvasNode;
    if (step.type === 'group') {
      step = maybeUnrollGroup(step, config);
      if (step.type === 'group' && step.tasks.length === 0 && (steps.length > 0 || prev !== null)) continue;
    }
    if (step.type === 'chain') {
      steps.push(...unchainTasks(step, config));
      continue;
    }
    if (step.type === 'group' && prev !== null) {
      out.pop();
      step = mkChord(step, prev, config);
    }
    out.push(step);
    prev = step;
  }
  return { ...node, tasks: out.reverse(), raw: true };
}

function prepareAll(node: CanvasNode, config: LinkConfig): CanvasNode {
  const sub = (n: CanvasNode): CanvasNode => prepareAll(n, config);
  const lists = { link: node.link.map(sub), link_error: node.link_error.map(sub) };
  switch (node.type) {
    case 'task':
      return { ...node, ...lists };
    case 'group':
      return { ...node, ...lists, tasks: node.tasks.map(sub) };
    case 'chord':
      return { ...node, ...lists, header: node.header.map(sub), body: sub(node.body) };
    case 'chain': {
      const prepared = prepareChain({ ...node, ...lists }, config);
      // Splicing and chord upgrades build new nodes from prepared parts; prepare those parts too.
      return { ...prepared, tasks: prepared.tasks.map((t) => (t.type === 'task' ? t : sub(t))) };
    }
  }
}

/**
 * The canvas as Celery runs it: `|` composition (`composeCanvas`) then `prepare_steps` structure rules.
 * Idempotent. `config` decides where a chord's errbacks go when composition dissolves the chord.
 */
export function referenceNormalizeCanvas(
  node: CanvasNode,
  config: LinkConfig = DEFAULT_LINK_CONFIG,
): CanvasNode {
  return prepareAll(referenceComposeCanvas(node, config), config);
}

/**
 * Places every composite link where Celery's `link()`/`link_error()` put them, recursively: afterwards
 * only tasks and chains (and empty groups, which cannot take links) carry `link`/`link_error`.
 */
export function referencePushDownLinks(
  node: CanvasNode,
  config: LinkConfig = DEFAULT_LINK_CONFIG,
): CanvasNode {
  const sub = (n: CanvasNode): CanvasNode => referencePushDownLinks(n, config);
  const lists = { link: node.link.map(sub), link_error: node.link_error.map(sub) };
  switch (node.type) {
    case 'task':
      return { ...node, ...lists };
    case 'chain':
      return { ...node, ...lists, tasks: node.tasks.map(sub) };
    case 'group':
      return settleOwnLinks({ ...node, ...lists, tasks: node.tasks.map(sub) }, config);
    case 'chord':
      return settleOwnLinks(
        { ...node, ...lists, header: node.header.map(sub), body: sub(node.body) },
        config,
      );
  }
}

/** Celery's `a | b` on canvases as written, the copying way (oracle for the `pipe` fold). */
export function referencePipe(
  a: CanvasNode,
  b: CanvasNode,
  config: LinkConfig = DEFAULT_LINK_CONFIG,
): CanvasNode {
  return orOp(referenceComposeCanvas(a, config), referenceComposeCanvas(b, config), config);
}
