/**
 * `planRun`: normalizes a canvas the way Celery composes it, pushes composite links/errbacks down to
 * the tasks that carry them (celery-semantics.md 4.3, 5, 6.1, 6.5) and freezes the result: every task
 * instance (canvas task, callback, errback) gets its id, resolved options, barrier and continuation.
 * The plan is plain JSON, computed identically by the simulator and the cluster.
 */
import type { CatalogueEntry, TaskCatalogue, TaskParam } from '../canvas/catalogue';
import { type LinkConfig, pushDownLinks, unchainTasks } from '../canvas/links';
import type { CanvasFile, CanvasNode, TaskNode } from '../canvas/model';
import { normalizeCanvas } from '../canvas/normalize';
import { putOwn } from '../canvas/ownKeys';
import type { TaskError, TaskOrigin } from '../protocol/events';
import { escapeKey } from './messageKey';
import { join, joinAfterGroups } from './planSteps';
import { resolveOptions } from './resolveOptions';
import { checkApply } from './step';
import type { PlanBarrier, PlanNode, PlanTask, ResolvedOptions, RunPlan } from './types';

/** A canvas that cannot be planned (the message is a sentence for a person). */
export class PlanError extends Error {
  override name = 'PlanError';

  constructor(
    message: string,
    /** The exception applying the canvas raised, when that is what went wrong (Celery's argument check). */
    readonly error?: TaskError,
  ) {
    super(message);
  }
}

/** Tasks that may add to their chord at run time (Celery `add_to_chord`). */
const CHORD_ADDERS = new Set(['add_to_chord_task']);
/** Tasks a built-in may create at run time (replace / add_to_chord): their options are frozen too. */
const DYNAMIC_NAMES = ['add'];

/**
 * The `links`/`errbacks` of the (many) tasks without any: one shared, frozen empty list instead of two
 * arrays per task (plans are read-only once built).
 */
const NO_NODES = Object.freeze([]) as unknown as number[];

class Builder {
  readonly tasks: PlanTask[] = [];
  readonly nodes: PlanNode[] = [];
  readonly barriers: PlanBarrier[] = [];
  /** Every `id` label of the tree (a derived id must not take one). */
  private readonly labels = new Set<string>();
  private readonly usedLabels = new Set<string>();
  /** Per label used more than once: the first `-n` suffix not tried yet. */
  private readonly nextSuffix = new Map<string, number>();
  private readonly renamed = new Set<string>();
  private readonly barrierIndex = new Map<string, number>();
  /** Resolved options of nodes without own options, shared per task name (big canvases). */
  private readonly defaultOptions = new Map<string, ResolvedOptions>();
  readonly rootKey: string;
  /** `<run>.t.`, the start of every task's message key. */
  private readonly taskKeyPrefix: string;

  constructor(
    private readonly catalogue: TaskCatalogue,
    private readonly runKey: string,
    private readonly config: LinkConfig,
  ) {
    this.rootKey = `${runKey}.root`;
    this.taskKeyPrefix = `${runKey}.t.`;
    this.barriers.push({ key: this.rootKey, path: '', node: -1, parent: null, total: 0, adders: [] });
    this.barrierIndex.set(this.rootKey, 0);
  }

  /**
   * Set while building when ids could depend on labels met later: a label that looks like a derived id
   * (`task…`), or a composite node with own links (its callbacks' labels may never be built). The plan
   * is then built again with every label collected first (`collectLabels`).
   */
  needsLabels = false;

  /** Collects the labels first, so derived ids (unique by path) are checked against labels only. */
  collectLabels(node: CanvasNode): void {
    if (node.type === 'task') {
      if (node.id !== undefined) this.labels.add(node.id);
    } else if (node.type === 'chord') {
      for (const c of node.header) this.collectLabels(c);
      this.collectLabels(node.body);
    } else {
      for (const c of node.tasks) this.collectLabels(c);
    }
    if (node.link.length > 0) for (const c of node.link) this.collectLabels(c);
    if (node.link_error.length > 0) for (const c of node.link_error) this.collectLabels(c);
  }

  /** The task id: the label verbatim (deduplicated), else `task.<path>` (renamed if a label took it). */
  private idFor(node: TaskNode, path: string): string {
    if (node.id !== undefined) {
      if (node.id.startsWith('task')) this.needsLabels = true;
      let id = node.id;
      if (this.usedLabels.has(id)) {
        // Suffixes taken once stay taken: the search for a label's next free `-n` resumes where the
        // last one stopped (100,000 tasks labelled alike were quadratic: 2 + 3 + … + 100,001 lookups).
        let n = this.nextSuffix.get(node.id) ?? 2;
        for (id = `${node.id}-${n}`; this.usedLabels.has(id); n++) id = `${node.id}-${n + 1}`;
        this.nextSuffix.set(node.id, n + 1);
      }
      this.usedLabels.add(id);
      return id;
    }
    const derived = path === '' ? 'task' : `task.${path}`;
    if (this.labels.size === 0 || !this.labels.has(derived)) return derived;
    let id = derived;
    for (let n = 2; this.labels.has(id) || this.renamed.has(id); n++) id = `${derived}-${n}`;
    this.renamed.add(id);
    return id;
  }

  /** Builds `node` (and its subtree) and returns its node index. `reports` = chord its value leaves report to. */
  build(
    node: CanvasNode,
    path: string,
    barrier: string,
    origin: TaskOrigin,
    reports: number | undefined,
  ): number {
    if (node.type !== 'task' && (node.link.length > 0 || node.link_error.length > 0)) {
      this.needsLabels = true;
    }
    switch (node.type) {
      case 'task':
        return this.buildTask(node, path, barrier, origin, reports);
      case 'chain': {
        // A chain still carrying links: Celery puts `link` on the last step and `link_error` on every step.
        const steps = joinAfterGroups(
          node.link.length > 0 || node.link_error.length > 0 ? unchainTasks(node, this.config) : node.tasks,
        );
        const index = this.push({ kind: 'chain', steps: [], next: null });
        const built: number[] = [];
        for (let i = 0; i < steps.length; i++) {
          // The last step's value is the chain's: only it reports to the enclosing chord.
          const last = i === steps.length - 1;
          const step = steps[i] as CanvasNode;
          built.push(this.build(step, join(path, 'tasks', i), barrier, origin, last ? reports : undefined));
        }
        for (let i = 0; i < built.length - 1; i++) this.setNext(built[i] as number, built[i + 1] as number);
        (this.nodes[index] as { steps: number[] }).steps = built;
        return index;
      }
      case 'group': {
        const index = this.push({ kind: 'group', members: [], next: null });
        const members = node.tasks.map((m, i) =>
          this.build(m, join(path, 'tasks', i), barrier, origin, reports),
        );
        (this.nodes[index] as { members: number[] }).members = members;
        return index;
      }
      case 'chord': {
        const bi = this.barriers.length;
        const key = `${this.runKey}.c.${escapeKey(path === '' ? '~' : path)}`;
        this.barriers.push({ key, path, node: -1, parent: barrier, total: 0, adders: [] });
        this.barrierIndex.set(key, bi);
        const index = this.push({ kind: 'chord', header: [], body: -1, barrier: bi, next: null });
        const header = node.header.map((m, i) => this.build(m, join(path, 'header', i), key, origin, bi));
        const body = this.build(node.body, join(path, 'body'), barrier, origin, reports);
        const n = this.nodes[index] as { header: number[]; body: number };
        n.header = header;
        n.body = body;
        (this.barriers[bi] as PlanBarrier).node = index;
        return index;
      }
    }
  }

  private push(node: PlanNode): number {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  /** Sets the continuation of `index`: the node applied with its value when it finishes. */
  setNext(index: number, next: number | null): void {
    const node = this.nodes[index] as PlanNode;
    node.next = next;
    if (node.kind === 'chain') {
      const last = node.steps[node.steps.length - 1];
      if (last !== undefined) this.setNext(last, next);
    } else if (node.kind === 'chord') {
      this.setNext(node.body, next);
    } else if (node.kind === 'group' && next !== null) {
      throw new PlanError(
        'A group is followed by another step inside a chain that Celery would have turned into a chord; ' +
          'normalize the canvas first (this is a bug in the planner input).',
      );
    }
  }

  private optionsFor(node: TaskNode, entry: CatalogueEntry | undefined): ResolvedOptions {
    for (const _ in node.options) return resolveOptions(entry, node.options);
    let options = this.defaultOptions.get(node.task);
    if (options === undefined) {
      options = resolveOptions(entry, {});
      this.defaultOptions.set(node.task, options);
    }
    return options;
  }

  private buildTask(
    node: TaskNode,
    path: string,
    barrier: string,
    origin: TaskOrigin,
    reports: number | undefined,
  ): number {
    const entry = this.catalogue.get(node.task);
    const ti = this.tasks.length;
    const index = this.push({ kind: 'task', task: ti, next: null });
    const id = this.idFor(node, path);
    // A derived id (`task.<path>`) is made of key-safe characters already; only labels need escaping.
    const key = this.taskKeyPrefix + (node.id === undefined ? id : escapeKey(id));
    const options = this.optionsFor(node, entry);
    // The core can call only its own tasks in-process: an errback whose code is the user's (or a Celery
    // app's) is dispatched as a task, old style (lib/engine/CONTEXT.md, "Deviations").
    const external = entry !== undefined && entry.source !== 'builtin' && entry.source !== 'tutorial';
    const errback_style = external ? 'old' : (entry?.errback_style ?? 'old');
    const { task: name, args, kwargs, immutable } = node;
    let t: PlanTask;
    // The common shapes in one literal each (same keys in the same order as the general case): an
    // object grown key by key afterwards costs an extra allocation per task on big canvases.
    if (node.sim === undefined && entry !== undefined && reports === undefined) {
      t = {
        id,
        key,
        name,
        path,
        origin,
        args,
        kwargs,
        immutable,
        options,
        errback_style,
        node: index,
        barrier,
        links: NO_NODES,
        errbacks: NO_NODES,
        duration_ms: entry.duration_ms,
      };
    } else if (node.sim === undefined && entry !== undefined && reports !== undefined) {
      t = {
        id,
        key,
        name,
        path,
        origin,
        args,
        kwargs,
        immutable,
        options,
        errback_style,
        node: index,
        barrier,
        links: NO_NODES,
        errbacks: NO_NODES,
        duration_ms: entry.duration_ms,
        reports,
      };
    } else {
      t = {
        id,
        key,
        name,
        path,
        origin,
        args,
        kwargs,
        immutable,
        options,
        errback_style,
        node: index,
        barrier,
        links: NO_NODES,
        errbacks: NO_NODES,
      };
      if (node.sim !== undefined) t.sim = node.sim;
      if (entry !== undefined) t.duration_ms = entry.duration_ms;
      if (reports !== undefined) t.reports = reports;
    }
    if (reports !== undefined) (this.barriers[reports] as PlanBarrier).total += 1;
    this.tasks.push(t);
    if (CHORD_ADDERS.has(node.task) && barrier !== this.rootKey) {
      const bi = this.barrierIndex.get(barrier);
      if (bi !== undefined) (this.barriers[bi] as PlanBarrier).adders.push(ti);
    }
    // Callbacks and errbacks are separate canvases applied later; they hang off the run root.
    if (node.link.length > 0) {
      t.links = node.link.map((cb, i) =>
        this.build(cb, join(path, 'link', i), this.rootKey, 'link', undefined),
      );
    }
    if (node.link_error.length > 0) {
      t.errbacks = node.link_error.map((eb, i) =>
        this.build(eb, join(path, 'link_error', i), this.rootKey, 'link_error', undefined),
      );
    }
    return index;
  }
}

/**
 * Freezes a canvas file into a run plan. Task ids never depend on `runId`; message keys do (so they are
 * unique in a shared Redis).
 */
export function planRun(
  file: CanvasFile,
  catalogue: TaskCatalogue,
  runId: string,
  opts: { epoch_ms?: number } = {},
): RunPlan {
  const config: LinkConfig = { allowErrorCbOnChordHeader: file.config.task_allow_error_cb_on_chord_header };
  const tree = pushDownLinks(normalizeCanvas(file.canvas, config), config);
  const plan = planNormalized(tree, file, catalogue, runId, config);
  if (opts.epoch_ms !== undefined) plan.epoch_ms = opts.epoch_ms;
  return plan;
}

/** Plans an already normalized tree (links already pushed down to tasks and chains). */
export function planNormalized(
  tree: CanvasNode,
  file: Pick<CanvasFile, 'invoke'>,
  catalogue: TaskCatalogue,
  runId: string,
  config: LinkConfig = { allowErrorCbOnChordHeader: false },
): RunPlan {
  if (runId === '') throw new PlanError('The run id is empty; give every run a non-empty id.');
  const runKey = escapeKey(runId, false);
  // Optimistic single pass: without labels that could take a derived id, collecting them first
  // changes nothing (most canvases); otherwise plan again the careful way.
  let b = new Builder(catalogue, runKey, config);
  let top = b.build(tree, '', b.rootKey, 'canvas', undefined);
  if (b.needsLabels) {
    b = new Builder(catalogue, runKey, config);
    b.collectLabels(tree);
    top = b.build(tree, '', b.rootKey, 'canvas', undefined);
  }
  (b.barriers[0] as PlanBarrier).node = top;
  const dynamic: RunPlan['dynamic'] = {};
  for (const name of DYNAMIC_NAMES) {
    const entry = catalogue.get(name);
    dynamic[name] = { options: resolveOptions(entry, {}), errback_style: entry?.errback_style ?? 'old' };
  }
  const signatures: Record<string, TaskParam[]> = {};
  const external = new Set<string>();
  for (const t of b.tasks) {
    if (Object.hasOwn(signatures, t.name) || external.has(t.name)) continue;
    const entry = catalogue.get(t.name);
    if (entry !== undefined && entry.source !== 'builtin' && entry.source !== 'tutorial')
      external.add(t.name);
    // Built-ins only: user tasks' declared params document them, and the seed's tutorial tasks take **kwargs.
    if (entry?.source === 'builtin') putOwn(signatures, t.name, entry.params);
  }
  const plan: RunPlan = {
    version: 1,
    run_id: runId,
    top,
    invoke: file.invoke,
    tasks: b.tasks,
    nodes: b.nodes,
    barriers: b.barriers,
    dynamic,
    signatures,
    ...(external.size > 0 ? { external: [...external] } : {}),
  };
  // Celery checks the arguments of what it sends when the canvas is applied: a mismatch raises in the
  // caller and nothing is sent (Task.typing).
  const applyError = checkApply(plan, top, file.invoke.args, file.invoke.kwargs);
  if (applyError !== null)
    throw new PlanError(`Applying the canvas raises TypeError: ${applyError.message}`, applyError);
  return plan;
}
