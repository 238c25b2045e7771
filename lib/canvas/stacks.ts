/**
 * Stacks: a drawing concern for big fan-outs. A group's members (or a chord header's) that all share one
 * *shape* are drawn as a single stacked node ("add ×1,000") instead of one node per member; the tree
 * stays exact (every member is still a task with its own args and id). A stack can be expanded in place,
 * wholly or by a range of members; the members in the range are drawn as ordinary nodes beside it.
 *
 * Shape: what a person sees on a node, minus the per-member values — the task name, `.s`/`.si`, the
 * number of positional args and the kwargs' names, options, simulation model and the callbacks'
 * shapes; for a chain, the shapes of its steps in order; for a nested group/chord, the same recursively.
 * Args values, kwargs values and id labels may differ between members of one stack.
 */
import type { Drawing, DrawNode } from './drawingModel';
import { uidOf } from './drawingModel';
import type { CanvasNode, NodePath } from './model';

/** Fewer members than this are drawn one by one. */
export const STACK_MIN_MEMBERS = 12;

/** Most members a range expansion draws at once (a wider range is clipped to this many). */
export const STACK_MAX_EXPANDED = 500;

/** One member of a stack: its position in the list and the drawn ids of every node inside it. */
export interface StackMember {
  index: number;
  /** Drawn id of the member's own tree node (a chain member drawn as a bare sequence has no node). */
  id?: string;
  /** Drawn ids of the member's node and of every node inside it (steps, callbacks, nested members). */
  ids: string[];
  /** Drawn ids of the task nodes inside the member, in tree order (what run states are counted on). */
  taskIds: string[];
  /** Path of the member in the tree. */
  path: NodePath;
}

/** A stackable member list: a group's `tasks` or a chord's `header`. */
export interface StackSpec {
  /** Drawn id of the stack node. */
  id: string;
  /** Drawn id of the group/chord whose members are stacked (a loose root group has none drawn). */
  ownerId: string;
  /** Drawn parent of the stack node: the owner container, or the owner's parent for a loose root group. */
  parentId?: string;
  /** `header` for a chord's header (the region the stack sits in). */
  region?: 'header';
  /** The owner's kind. */
  owner: 'group' | 'chord';
  /** Short label of the shared shape: `add`, or `identity → add → mul` for chains. */
  label: string;
  /** What varies, first and last member: `(0, 1) … (9999, 1)` (args of the first task). */
  preview: string;
  members: StackMember[];
}

/** Members drawn as nodes: indices `from` (inclusive) to `to` (exclusive). */
export interface StackRange {
  from: number;
  to: number;
}

function optionsKey(v: unknown): string {
  return v === undefined ? '' : JSON.stringify(v);
}

/**
 * The shape key of a tree node: equal keys draw alike (args/kwargs values, ids and uids ignored).
 * @example memberShape(task('add', [1])) === memberShape(task('add', [2])) // true
 */
export function memberShape(node: CanvasNode): string {
  const cbs = `|L[${node.link.map(memberShape).join(',')}]E[${node.link_error.map(memberShape).join(',')}]`;
  switch (node.type) {
    case 'task': {
      const kw = Object.keys(node.kwargs).sort().join(',');
      return `t:${node.task}|${node.immutable ? 'si' : 's'}|${node.args.length}|${kw}|${optionsKey(node.options)}|${optionsKey(node.sim)}${cbs}`;
    }
    case 'chain':
      return `c(${node.tasks.map(memberShape).join(';')})${cbs}`;
    case 'group':
      return `g(${node.tasks.map(memberShape).join(';')})${cbs}`;
    case 'chord':
      return `h(${node.header.map(memberShape).join(';')})b(${memberShape(node.body)})${cbs}`;
  }
}

/** A person's label for a shape: the task name, a chain's steps joined by arrows (shortened). */
export function shapeLabel(node: CanvasNode): string {
  switch (node.type) {
    case 'task':
      return node.task;
    case 'chain': {
      const steps = node.tasks.map(shapeLabel);
      return steps.length > 4
        ? `${steps.slice(0, 3).join(' → ')} → … (${steps.length} steps)`
        : steps.join(' → ');
    }
    case 'group':
      return `group of ${node.tasks.length}`;
    case 'chord':
      return `chord of ${node.header.length}`;
  }
}

function firstTask(node: CanvasNode): CanvasNode & { type: 'task' } {
  if (node.type === 'task') return node;
  if (node.type === 'chord') return firstTask(node.header[0] ?? node.body);
  return node.tasks[0] === undefined
    ? {
        type: 'task',
        task: '',
        args: [],
        kwargs: {},
        immutable: false,
        options: {},
        link: [],
        link_error: [],
      }
    : firstTask(node.tasks[0]);
}

function argsText(node: CanvasNode): string {
  const t = firstTask(node);
  const parts = [
    ...t.args.map((a) => JSON.stringify(a)),
    ...Object.entries(t.kwargs).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
  ];
  const text = parts.join(', ');
  return `(${text.length > 22 ? `${text.slice(0, 20)}…` : text})`;
}

/** The first and last member's arguments, the part of a stack that differs from member to member. */
export function stackPreview(list: readonly CanvasNode[]): string {
  if (list.length === 0) return '';
  return `${argsText(list[0]!)} … ${argsText(list[list.length - 1]!)}`;
}

function collect(
  node: CanvasNode,
  idOf: (n: CanvasNode) => string | undefined,
  ids: string[],
  taskIds: string[],
): void {
  const id = idOf(node);
  if (id !== undefined) {
    ids.push(id);
    if (node.type === 'task') taskIds.push(id);
  }
  if (node.type === 'chain' || node.type === 'group')
    for (const c of node.tasks) collect(c, idOf, ids, taskIds);
  if (node.type === 'chord') {
    for (const c of node.header) collect(c, idOf, ids, taskIds);
    collect(node.body, idOf, ids, taskIds);
  }
  for (const c of node.link) collect(c, idOf, ids, taskIds);
  for (const c of node.link_error) collect(c, idOf, ids, taskIds);
}

function allSame(list: readonly CanvasNode[]): boolean {
  if (list.length === 0) return false;
  // Cheap checks first: a mixed list usually differs in type or task name at the first mismatch.
  const first = list[0]!;
  const key = memberShape(first);
  for (let i = 1; i < list.length; i++) {
    const m = list[i]!;
    if (m.type !== first.type) return false;
    if (m.type === 'task' && first.type === 'task' && m.task !== first.task) return false;
    if (memberShape(m) !== key) return false;
  }
  return true;
}

/**
 * Every stackable member list of a tree (a group's members or a chord's header with at least
 * `min` members of one shape), outermost first, with the drawn ids of each member's nodes.
 * `idOf` gives a tree node's drawn id (the editor's uid by default).
 */
export function findStacks(
  tree: CanvasNode | null,
  options: { min?: number; idOf?: (n: CanvasNode) => string | undefined } = {},
): StackSpec[] {
  const min = options.min ?? STACK_MIN_MEMBERS;
  const idOf = options.idOf ?? uidOf;
  const out: StackSpec[] = [];
  const visit = (node: CanvasNode, path: NodePath, parentId: string | undefined, isRoot: boolean) => {
    const id = idOf(node);
    const list = node.type === 'group' ? node.tasks : node.type === 'chord' ? node.header : null;
    if (list !== null && id !== undefined && list.length >= min && allSame(list)) {
      const key = node.type === 'group' ? 'tasks' : 'header';
      // A root group of plain members is drawn loose (no container node): its stack sits at the root.
      const loose = isRoot && node.type === 'group' && node.link.length === 0 && node.link_error.length === 0;
      const spec: StackSpec = {
        id: `stack:${id}`,
        ownerId: id,
        owner: node.type === 'group' ? 'group' : 'chord',
        label: shapeLabel(list[0]!),
        preview: stackPreview(list),
        members: list.map((m, index) => {
          const ids: string[] = [];
          const taskIds: string[] = [];
          collect(m, idOf, ids, taskIds);
          const member: StackMember = { index, ids, taskIds, path: [...path, key, index] };
          const own = idOf(m);
          if (own !== undefined) member.id = own;
          return member;
        }),
      };
      if (!loose) spec.parentId = id;
      else if (parentId !== undefined) spec.parentId = parentId;
      if (node.type === 'chord') spec.region = 'header';
      out.push(spec);
    }
    const inner = id ?? parentId;
    if (node.type === 'chain' || node.type === 'group')
      node.tasks.forEach((c, i) => {
        visit(c, [...path, 'tasks', i], inner, false);
      });
    if (node.type === 'chord') {
      node.header.forEach((c, i) => {
        visit(c, [...path, 'header', i], inner, false);
      });
      visit(node.body, [...path, 'body'], inner, false);
    }
    node.link.forEach((c, i) => {
      visit(c, [...path, 'link', i], parentId, false);
    });
    node.link_error.forEach((c, i) => {
      visit(c, [...path, 'link_error', i], parentId, false);
    });
  };
  if (tree !== null) visit(tree, [], undefined, true);
  return out;
}

/** The range of a stack that is drawn, clipped to its members and to `STACK_MAX_EXPANDED`. */
export function clipRange(range: StackRange | undefined, count: number): StackRange {
  if (range === undefined) return { from: 0, to: 0 };
  const from = Math.max(0, Math.min(count, Math.floor(range.from)));
  const to = Math.max(from, Math.min(count, Math.floor(range.to), from + STACK_MAX_EXPANDED));
  return { from, to };
}

/** The drawing with stacked members removed (except expanded ranges), plus the stacks that are drawn. */
export interface StackedDrawing {
  drawing: Drawing;
  /** Stacks drawn, with the range of each that is expanded. */
  stacks: Array<{ spec: StackSpec; range: StackRange }>;
  /** Drawn id of every hidden node → the id of the stack standing for it. */
  hiddenBy: Map<string, string>;
}

/**
 * Applies stacks to a drawing: the members of each stack outside its expanded range are left out
 * (with every edge touching them); a stack whose owner is itself hidden (nested in a collapsed
 * stack) is not drawn. `expanded` is keyed by stack id.
 */
export function stackDrawing(
  drawing: Drawing,
  specs: readonly StackSpec[],
  expanded: Readonly<Record<string, StackRange>> = {},
): StackedDrawing {
  const hiddenBy = new Map<string, string>();
  const stacks: StackedDrawing['stacks'] = [];
  for (const spec of specs) {
    // Outermost first: an owner hidden by an outer stack hides this stack too.
    if (hiddenBy.has(spec.ownerId)) continue;
    const range = clipRange(expanded[spec.id], spec.members.length);
    stacks.push({ spec, range });
    for (const m of spec.members) {
      if (m.index >= range.from && m.index < range.to) continue;
      for (const id of m.ids) hiddenBy.set(id, spec.id);
    }
  }
  if (hiddenBy.size === 0) return { drawing, stacks, hiddenBy };
  const nodes: DrawNode[] = drawing.nodes.filter((n) => !hiddenBy.has(n.id));
  const edges = drawing.edges.filter((e) => !hiddenBy.has(e.source) && !hiddenBy.has(e.target));
  return { drawing: { nodes, edges }, stacks, hiddenBy };
}

/**
 * Selection ids with every stack id (`stack:<owner uid>`) replaced by its members' ids: a selected
 * stack stands for all its members (delete, copy, wrap act on them). Other ids are kept as they are.
 */
export function expandStackIds(
  tree: CanvasNode | null,
  ids: readonly string[],
  idOf: (n: CanvasNode) => string | undefined = uidOf,
): string[] {
  if (tree === null || !ids.some((id) => id.startsWith('stack:'))) return [...ids];
  const owners = new Map<string, CanvasNode>();
  const visit = (n: CanvasNode) => {
    const id = idOf(n);
    if (id !== undefined) owners.set(id, n);
    if (n.type === 'chain' || n.type === 'group') for (const c of n.tasks) visit(c);
    if (n.type === 'chord') {
      for (const c of n.header) visit(c);
      visit(n.body);
    }
    for (const c of n.link) visit(c);
    for (const c of n.link_error) visit(c);
  };
  visit(tree);
  const out: string[] = [];
  for (const id of ids) {
    const owner = id.startsWith('stack:') ? owners.get(id.slice('stack:'.length)) : undefined;
    const list = owner?.type === 'group' ? owner.tasks : owner?.type === 'chord' ? owner.header : null;
    if (list === null) {
      if (!id.startsWith('stack:')) out.push(id);
      continue;
    }
    for (const m of list) {
      const mid = idOf(m);
      if (mid !== undefined && !out.includes(mid)) out.push(mid);
    }
  }
  return out;
}
