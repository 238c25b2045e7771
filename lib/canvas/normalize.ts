/**
 * Celery's composition rules (celery-semantics.md 7) as pure functions over the canvas model.
 *
 * - `pipe(a, b)` is Celery's `a | b` (5.6 semantics: `Signature.__or__`, `_chain.__or__`, `group.__or__`,
 *   `_chord.__or__`).
 * - `composeCanvas` builds every chain like `celery.chain(*nodes)` (a left fold with `|` from an empty
 *   chain; a one-node chain is kept as is). Its result is what `json.dumps(sig)` shows in Python.
 * - `normalizeCanvas` = `composeCanvas` + what `chain.prepare_steps` does when a chain is applied:
 *   nested chains spliced, one-member groups unrolled, empty groups skipped, a group followed by
 *   anything upgraded to a chord. The interpreters and exports see this tree.
 *
 * Links: a node's own `link`/`link_error` stay where they are while the node survives; when composition
 * dissolves or rebuilds a group, chord or chain, its links are first moved where Celery's `link()`
 * methods put them (`links.ts`), so meaning is preserved.
 */

import { CHUNKS_TASK, chunksGroup, isChunks } from './chunks';
import { DEFAULT_LINK_CONFIG, type LinkConfig, mapNodes, settleOwnLinks, unchainTasks } from './links';
import type { CanvasFile, CanvasNode, ChainNode, ChordNode, GroupNode } from './model';
import { applySetOptions } from './setOptions';

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

/**
 * Celery's `a | b` (5.6 semantics) on two canvases as written (each is composed first, as Python builds
 * the operands before applying `|`). Neither input is modified.
 */
export function pipe(a: CanvasNode, b: CanvasNode, config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode {
  return orOp(composeCanvas(a, config), composeCanvas(b, config), config);
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

/**
 * `celery.chain(*nodes)`: a left fold with `|` from an empty chain; a single node stays wrapped.
 * Folding k plain tasks from the empty chain always gives `chain(t1..tk)`, so a leading run of tasks is
 * taken in one step (a long chain of tasks would otherwise be copied once per step).
 */
export function chainOf(nodes: readonly CanvasNode[], config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode {
  let prefix = 0;
  while (prefix < nodes.length && (nodes[prefix] as CanvasNode).type === 'task') prefix++;
  if (nodes.length <= 1 || prefix === nodes.length) return mkChain([...nodes]);
  let acc: CanvasNode = mkChain(nodes.slice(0, prefix));
  for (let i = prefix; i < nodes.length; i++) acc = orOp(acc, nodes[i] as CanvasNode, config);
  return acc;
}

/** Adds a node's own links (from the file) to a freshly composed result: what `c.link(l)` does after build. */
function carryLinks(result: CanvasNode, link: CanvasNode[], linkError: CanvasNode[]): CanvasNode {
  if (link.length === 0 && linkError.length === 0) return result;
  return {
    ...result,
    link: [...result.link, ...link],
    link_error: [...result.link_error, ...linkError],
  };
}

/**
 * Applies `|` composition everywhere: every chain node is rebuilt like `celery.chain(*nodes)`, pipes
 * included. The result is what Celery builds (before `prepare_steps`). Subtrees composition leaves
 * unchanged are returned as they are (shared, never modified), so big canvases are not copied.
 */
export function composeCanvas(node: CanvasNode, config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode {
  // Most nodes of a big canvas are plain tasks: nothing to do.
  if (node.type === 'task' && node.link.length === 0 && node.link_error.length === 0) return node;
  const link = mapNodes(node.link, composeCanvas, config);
  const link_error = mapNodes(node.link_error, composeCanvas, config);
  const same = link === node.link && link_error === node.link_error;
  switch (node.type) {
    case 'task':
      return same ? node : { ...node, link, link_error };
    case 'group': {
      const tasks = mapNodes(node.tasks, composeCanvas, config);
      return same && tasks === node.tasks ? node : { ...node, link, link_error, tasks };
    }
    case 'chord': {
      const header = mapNodes(node.header, composeCanvas, config);
      const body = composeCanvas(node.body, config);
      return same && header === node.header && body === node.body
        ? node
        : { ...node, link, link_error, header, body };
    }
    case 'chain': {
      const tasks = mapNodes(node.tasks, composeCanvas, config);
      // A raw chain is already what Celery holds (`_chain(tasks)`); only its steps are composed.
      if (node.raw === true) {
        return same && tasks === node.tasks ? node : { ...node, link, link_error, tasks };
      }
      // `chain(*nodes).set(**options)`: the options go on whatever the fold built.
      const built = carryLinks(chainOf(tasks, config), link, link_error);
      return node.options === undefined
        ? built
        : { ...built, options: { ...built.options, ...node.options } };
    }
  }
}

/**
 * `chain.prepare_steps` structure rules applied to one chain (steps already prepared): walks the steps
 * backwards like Celery, splicing chains, unrolling one-member groups, skipping empty groups and
 * upgrading a group followed by a step into a chord with that step as body.
 */
function prepareChain(node: ChainNode, config: LinkConfig): ChainNode {
  // A raw chain of tasks and chords only is already prepared (every step stays, in order).
  if (node.raw === true && node.tasks.every(isKeptStep)) return node;
  const steps = [...node.tasks];
  const out: CanvasNode[] = []; // reversed, like Celery's
  let prev: CanvasNode | null = null;
  while (steps.length > 0) {
    let step = steps.pop() as CanvasNode;
    if (isChunks(step)) step = chunksGroup(step);
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

/** A chain step `prepare_steps` keeps as it is (no unrolling, splicing or chord upgrade). */
function isKeptStep(step: CanvasNode): boolean {
  return (step.type === 'task' && !isChunks(step)) || step.type === 'chord';
}

/** A chain step prepared: its nested canvases (a task step is left as it is). */
function prepareStep(step: CanvasNode, config: LinkConfig): CanvasNode {
  return step.type === 'task' && !isChunks(step) ? step : prepareAll(step, config);
}

/** `prepare_steps` everywhere; unchanged subtrees are shared like in `composeCanvas`. */
function prepareAll(node: CanvasNode, config: LinkConfig): CanvasNode {
  // Most nodes of a big canvas are plain tasks: nothing to do.
  if (node.type === 'task') {
    // Celery applies `chunks(...)` as `chunks.group()`.
    if (node.task === CHUNKS_TASK) return prepareAll(chunksGroup(node), config);
    if (node.link.length === 0 && node.link_error.length === 0) return node;
  }
  const link = mapNodes(node.link, prepareAll, config);
  const link_error = mapNodes(node.link_error, prepareAll, config);
  const same = link === node.link && link_error === node.link_error;
  switch (node.type) {
    case 'task':
      return same ? node : { ...node, link, link_error };
    case 'group': {
      const tasks = mapNodes(node.tasks, prepareAll, config);
      return same && tasks === node.tasks ? node : { ...node, link, link_error, tasks };
    }
    case 'chord': {
      const header = mapNodes(node.header, prepareAll, config);
      const body = prepareAll(node.body, config);
      return same && header === node.header && body === node.body
        ? node
        : { ...node, link, link_error, header, body };
    }
    case 'chain': {
      const base = same ? node : { ...node, link, link_error };
      const prepared = prepareChain(base, config);
      if (prepared === base) {
        // Already prepared: only its chord steps may change (shared otherwise, never modified).
        const tasks = mapNodes(base.tasks, prepareStep, config);
        return tasks === base.tasks ? base : { ...base, tasks };
      }
      // Splicing and chord upgrades build new nodes from prepared parts; prepare those parts too
      // (task steps stay as they are). `prepared.tasks` is a fresh array owned here.
      const tasks = prepared.tasks;
      for (let i = 0; i < tasks.length; i++) {
        const t = tasks[i] as CanvasNode;
        if (t.type !== 'task' || isChunks(t)) tasks[i] = prepareAll(t, config);
      }
      return prepared;
    }
  }
}

/**
 * The canvas as Celery runs it: `|` composition (`composeCanvas`) then `prepare_steps` structure rules.
 * Idempotent. `config` decides where a chord's errbacks go when composition dissolves the chord.
 */
export function normalizeCanvas(node: CanvasNode, config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode {
  return applySetOptions(prepareAll(composeCanvas(node, config), config));
}

/** A file's canvas as Celery runs it, under the file's own `task_allow_error_cb_on_chord_header`. */
export function normalizeFile(file: Pick<CanvasFile, 'canvas' | 'config'>): CanvasNode {
  return normalizeCanvas(file.canvas, {
    allowErrorCbOnChordHeader: file.config.task_allow_error_cb_on_chord_header,
  });
}
