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
import { DEFAULT_LINK_CONFIG, type LinkConfig, mapNodes, unchainTasks } from './links';
import type { CanvasFile, CanvasNode, ChainNode } from './model';
import {
  COMPOSED_DEPTH_CEILING,
  chainOf,
  maybeUnrollGroup,
  mkChord,
  NestingError,
  newFold,
  orOp,
} from './pipeFold';
import { applySetOptions } from './setOptions';

export { chainOf, NestingError };

/**
 * Celery's `a | b` (5.6 semantics) on two canvases as written (each is composed first, as Python builds
 * the operands before applying `|`). Neither input is modified.
 */
export function pipe(a: CanvasNode, b: CanvasNode, config: LinkConfig = DEFAULT_LINK_CONFIG): CanvasNode {
  return orOp(newFold(config), composeCanvas(a, config), composeCanvas(b, config));
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
      // One by one: a spread of a 100,000-step chain would overflow the call stack.
      for (const inner of unchainTasks(step, config)) steps.push(inner);
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

/**
 * `prepare_steps` everywhere; unchanged subtrees are shared like in `composeCanvas`. `depth` counts the
 * levels above `node`: chord upgrades nest (a chain of groups becomes chords in each other's bodies), so
 * past `COMPOSED_DEPTH_CEILING` this stops with a sentence instead of exhausting the stack.
 */
function prepareAll(node: CanvasNode, config: LinkConfig, depth = 0): CanvasNode {
  // Most nodes of a big canvas are plain tasks: nothing to do.
  if (node.type === 'task') {
    // Celery applies `chunks(...)` as `chunks.group()`.
    if (node.task === CHUNKS_TASK) return prepareAll(chunksGroup(node), config, depth);
    if (node.link.length === 0 && node.link_error.length === 0) return node;
  }
  if (depth >= COMPOSED_DEPTH_CEILING) throw new NestingError();
  const sub = (child: CanvasNode): CanvasNode => prepareAll(child, config, depth + 1);
  const link = mapNodes(node.link, sub, config);
  const link_error = mapNodes(node.link_error, sub, config);
  const same = link === node.link && link_error === node.link_error;
  switch (node.type) {
    case 'task':
      return same ? node : { ...node, link, link_error };
    case 'group': {
      const tasks = mapNodes(node.tasks, sub, config);
      return same && tasks === node.tasks ? node : { ...node, link, link_error, tasks };
    }
    case 'chord': {
      const header = mapNodes(node.header, sub, config);
      const body = sub(node.body);
      return same && header === node.header && body === node.body
        ? node
        : { ...node, link, link_error, header, body };
    }
    case 'chain': {
      const base = same ? node : { ...node, link, link_error };
      const prepared = prepareChain(base, config);
      // A chain step prepared: its nested canvases (a task step is left as it is).
      const step = (t: CanvasNode): CanvasNode => (t.type === 'task' && !isChunks(t) ? t : sub(t));
      if (prepared === base) {
        // Already prepared: only its chord steps may change (shared otherwise, never modified).
        const tasks = mapNodes(base.tasks, step, config);
        return tasks === base.tasks ? base : { ...base, tasks };
      }
      // Splicing and chord upgrades build new nodes from prepared parts; prepare those parts too
      // (task steps stay as they are). `prepared.tasks` is a fresh array owned here.
      const tasks = prepared.tasks;
      for (let i = 0; i < tasks.length; i++) tasks[i] = step(tasks[i] as CanvasNode);
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

/**
 * `normalizeFile` for views that must draw whatever canvas they are given (an import, a paste, a run
 * loaded from the server): the tree, or the sentence of the `NestingError` that a canvas composed past
 * `COMPOSED_DEPTH_CEILING` levels raises, for the view to show instead of failing to render.
 */
export function normalizeFileOrProblem(
  file: Pick<CanvasFile, 'canvas' | 'config'>,
): { root: CanvasNode; problem?: undefined } | { root?: undefined; problem: string } {
  try {
    return { root: normalizeFile(file) };
  } catch (err) {
    if (err instanceof NestingError) return { problem: err.message };
    throw err;
  }
}
