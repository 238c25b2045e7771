/**
 * Drawing -> tree (see lib/canvas/drawing.ts for the whole conversion): at each level the items and flow
 * edges form a DAG that is decomposed series-parallel, or rejected with the offending edges named.
 */

import type {
  DrawEdge,
  Drawing,
  DrawingResult,
  DrawingToTreeOptions,
  DrawNode,
  DrawRegion,
} from './drawingModel';
import { edgeId } from './drawingModel';
import type { CanvasNode } from './model';
import { type LocalDag, seriesCuts, topologicalOrder } from './seriesCuts';

class Rejection extends Error {
  constructor(
    message: string,
    readonly edges: DrawEdge[],
    readonly nodeIds: string[],
  ) {
    super(message);
  }
}

type Built = { node: CanvasNode; sequence: boolean };

/** One weakly connected component of a level, with what callbacks need to know about it. */
interface Part {
  members: DrawNode[];
  /** Members that are the target of a callback edge. */
  heads: number;
  /** The component's only source when it has one and at most one head: where a callback may enter. */
  entry: DrawNode | undefined;
}

/**
 * Rebuilds the canvas tree from a drawing, or explains why the drawing is not a canvas.
 * Edges between nodes of different containers are lifted to the items that are siblings.
 */
export function drawingToTree(drawing: Drawing, options: DrawingToTreeOptions = {}): DrawingResult {
  try {
    return { ok: true, tree: new Decomposer(drawing, options).root() };
  } catch (e) {
    if (e instanceof Rejection) return { ok: false, message: e.message, edges: e.edges, nodeIds: e.nodeIds };
    throw e;
  }
}

function label(n: DrawNode): string {
  return n.kind === 'task' ? (n.task?.id ?? n.task?.task ?? n.id) : `the ${n.kind}`;
}

function levelKey(parentId: string | undefined, region: DrawRegion | undefined): string {
  return `${parentId ?? ''}|${region ?? ''}`;
}

class Decomposer {
  private readonly byId = new Map<string, DrawNode>();
  private readonly order = new Map<string, number>();
  private readonly levels = new Map<string, DrawNode[]>();
  private readonly flowOut = new Map<string, DrawEdge[]>();
  private readonly flowIn = new Map<string, DrawEdge[]>();
  private readonly callbacksOut = new Map<string, DrawEdge[]>();
  private readonly callbackTargets = new Set<string>();
  private readonly building = new Set<string>();
  /** Components of each level, found once: a level's callbacks all look theirs up here. */
  private readonly partsByLevel = new Map<string, { parts: Part[]; partOf: Map<string, Part> }>();

  constructor(
    drawing: Drawing,
    private readonly options: DrawingToTreeOptions,
  ) {
    drawing.nodes.forEach((n, i) => {
      this.byId.set(n.id, n);
      this.order.set(n.id, i);
    });
    for (const n of drawing.nodes) {
      if (n.parentId !== undefined && !this.byId.has(n.parentId))
        throw new Rejection(`Node ${label(n)} sits in a container that is not in the drawing.`, [], [n.id]);
      const key = levelKey(
        n.parentId,
        this.byId.get(n.parentId ?? '')?.kind === 'chord' ? n.region : undefined,
      );
      const list = this.levels.get(key) ?? [];
      list.push(n);
      this.levels.set(key, list);
    }
    const seen = new Set<string>();
    for (const raw of drawing.edges) {
      const e = this.lift(raw);
      const key = edgeId(e.source, e.target, e.kind);
      if (seen.has(key)) continue;
      seen.add(key);
      // Appended in place: copying the list per edge made a node with many callbacks quadratic.
      const add = (m: Map<string, DrawEdge[]>, k: string) => {
        const list = m.get(k);
        if (list === undefined) m.set(k, [e]);
        else list.push(e);
      };
      if (e.kind === 'flow') {
        add(this.flowOut, e.source);
        add(this.flowIn, e.target);
      } else {
        add(this.callbacksOut, e.source);
        this.callbackTargets.add(e.target);
      }
    }
  }

  /** Moves both ends of an edge up to the items that share a level. */
  private lift(e: DrawEdge): DrawEdge {
    const s = this.byId.get(e.source);
    const t = this.byId.get(e.target);
    if (s === undefined || t === undefined)
      throw new Rejection('An edge points to a node that is not there.', [e], []);
    const ancestors = (n: DrawNode) => {
      const list: DrawNode[] = [n];
      let cur = n;
      while (cur.parentId !== undefined) {
        cur = this.byId.get(cur.parentId)!;
        list.unshift(cur);
      }
      return list;
    };
    const as = ancestors(s);
    const at = ancestors(t);
    let i = 0;
    while (i < as.length && i < at.length && as[i] === at[i]) i++;
    const ls = as[i];
    const lt = at[i];
    if (ls === undefined || lt === undefined)
      throw new Rejection(
        `An edge connects ${label(s)} with a container it sits in; connect items next to each other instead.`,
        [e],
        [s.id, t.id],
      );
    if (this.byId.get(ls.parentId ?? '')?.kind === 'chord' && ls.region !== lt.region)
      throw new Rejection(
        "A chord's header already feeds its body through the barrier; remove the edge across it.",
        [e],
        [s.id, t.id],
      );
    return ls === s && lt === t
      ? e
      : { ...e, id: edgeId(ls.id, lt.id, e.kind), source: ls.id, target: lt.id };
  }

  root(): CanvasNode {
    const items = this.level(undefined, undefined);
    if (items.length === 0) throw new Rejection('The canvas is empty: add a task.', [], []);
    return items.length === 1
      ? items[0]!.node
      : this.stamp({ type: 'group', tasks: items.map((b) => b.node), link: [], link_error: [] }, undefined);
  }

  private stamp<T extends CanvasNode>(node: T, id: string | undefined): T {
    if (this.options.keepIds && id !== undefined) Object.assign(node, { uid: id });
    return node;
  }

  /** The main (non-callback) items of one level, each decomposed, in order of first appearance. */
  private level(parentId: string | undefined, region: DrawRegion | undefined): Built[] {
    return this.parts(levelKey(parentId, region))
      .parts.filter((p) => p.heads === 0)
      .map((p) => this.decompose(p.members));
  }

  /**
   * The components of a level, computed once per level: every callback edge needs the component its
   * target starts, and regrouping the level per callback made a level of N tasks with callbacks N².
   */
  private parts(key: string): { parts: Part[]; partOf: Map<string, Part> } {
    const known = this.partsByLevel.get(key);
    if (known !== undefined) return known;
    const partOf = new Map<string, Part>();
    const parts = this.components(this.levels.get(key) ?? []).map((members) => {
      const sources = members.filter((m) => (this.flowIn.get(m.id) ?? []).length === 0);
      const heads = members.filter((m) => this.callbackTargets.has(m.id)).length;
      const part: Part = {
        members,
        heads,
        entry: heads <= 1 && sources.length === 1 ? sources[0] : undefined,
      };
      for (const m of members) partOf.set(m.id, part);
      return part;
    });
    const result = { parts, partOf };
    this.partsByLevel.set(key, result);
    return result;
  }

  /** Weakly connected components over flow edges, ordered by first appearance. */
  private components(items: DrawNode[]): DrawNode[][] {
    const inSet = new Set(items.map((n) => n.id));
    const comp = new Map<string, number>();
    const result: DrawNode[][] = [];
    for (const start of items) {
      if (comp.has(start.id)) continue;
      const index = result.length;
      const members: DrawNode[] = [];
      const stack = [start];
      comp.set(start.id, index);
      while (stack.length > 0) {
        const n = stack.pop()!;
        members.push(n);
        const next = [
          ...(this.flowOut.get(n.id) ?? []).map((e) => e.target),
          ...(this.flowIn.get(n.id) ?? []).map((e) => e.source),
        ];
        for (const m of next) {
          if (!inSet.has(m) || comp.has(m)) continue;
          comp.set(m, index);
          stack.push(this.byId.get(m)!);
        }
      }
      members.sort((a, b) => this.order.get(a.id)! - this.order.get(b.id)!);
      result.push(members);
    }
    return result;
  }

  private edgesWithin(nodes: DrawNode[]): DrawEdge[] {
    const set = new Set(nodes.map((n) => n.id));
    return nodes.flatMap((n) => (this.flowOut.get(n.id) ?? []).filter((e) => set.has(e.target)));
  }

  /** Series-parallel decomposition of one weakly connected component. */
  private decompose(comp: DrawNode[]): Built {
    if (comp.length === 1) return { node: this.item(comp[0]!), sequence: false };
    const local = new Map(comp.map((n, i) => [n.id, i]));
    const within = (edges: DrawEdge[] | undefined, end: 'source' | 'target') =>
      (edges ?? []).flatMap((e) => {
        const i = local.get(e[end]);
        return i === undefined ? [] : [i];
      });
    const dag: LocalDag = {
      succ: comp.map((n) => within(this.flowOut.get(n.id), 'target')),
      pred: comp.map((n) => within(this.flowIn.get(n.id), 'source')),
      // Ties broken by drawing order so the result is deterministic.
      rank: comp.map((n) => this.order.get(n.id)!),
    };
    const order = topologicalOrder(dag);
    if (order.length < comp.length) {
      const placed = new Set(order);
      const stuck = comp.filter((_, i) => !placed.has(i));
      const edges = this.edgesWithin(stuck);
      throw new Rejection(
        `These edges form a cycle (${stuck.map(label).join(', ')}); a Celery canvas only flows forward.`,
        edges,
        stuck.map((n) => n.id),
      );
    }
    // Series cuts: prefixes of the topological order where every sink feeds every source of the rest.
    const topo = order.map((i) => comp[i]!);
    const cuts = seriesCuts(dag, order);
    const factors: DrawNode[][] = [];
    let start = 0;
    for (const cut of [...cuts, topo.length]) {
      factors.push(topo.slice(start, cut));
      start = cut;
    }
    if (factors.length === 1) {
      const parts = this.components(comp);
      // A connected component with no series cut and more than one node is not series-parallel.
      if (parts.length === 1) {
        throw new Rejection(
          `These edges (${this.edgesWithin(comp)
            .map((e) => `${label(this.byId.get(e.source)!)} → ${label(this.byId.get(e.target)!)}`)
            .join(
              ', ',
            )}) do not form a chain, group or chord: every task before a join must feed every task after it.`,
          this.edgesWithin(comp),
          comp.map((n) => n.id),
        );
      }
    }
    const steps = factors.map((f) => this.factor(f));
    if (steps.length === 1) return { node: steps[0]!, sequence: false };
    return { node: { type: 'chain', tasks: steps, link: [], link_error: [] }, sequence: true };
  }

  /** A series-indecomposable factor: one item, or parallel components (a group). */
  private factor(nodes: DrawNode[]): CanvasNode {
    if (nodes.length === 1) return this.item(nodes[0]!);
    const parts = this.components(nodes).map((c) => this.decompose(c).node);
    return { type: 'group', tasks: parts, link: [], link_error: [] };
  }

  /** Rebuilds one drawn node with its callbacks. */
  private item(n: DrawNode): CanvasNode {
    if (this.building.has(n.id))
      throw new Rejection(`Callbacks of ${label(n)} lead back to it.`, this.callbacksOut.get(n.id) ?? [], [
        n.id,
      ]);
    this.building.add(n.id);
    const link: CanvasNode[] = [];
    const link_error: CanvasNode[] = [];
    for (const e of this.callbacksOut.get(n.id) ?? []) {
      const target = this.byId.get(e.target)!;
      const part = this.parts(levelKey(target.parentId, this.regionOf(target))).partOf.get(target.id)!;
      if (part.entry !== target)
        throw new Rejection(
          `The callback starting at ${label(target)} must start its own flow, not join another one.`,
          [e],
          [target.id],
        );
      (e.kind === 'link' ? link : link_error).push(this.decompose(part.members).node);
    }
    let node: CanvasNode;
    if (n.kind === 'task') {
      const t = n.task;
      if (t === undefined) throw new Rejection(`Task node ${n.id} has no signature.`, [], [n.id]);
      node = { ...t, link, link_error };
    } else if (n.kind === 'group') {
      node = { type: 'group', tasks: this.level(n.id, undefined).map((b) => b.node), link, link_error };
    } else if (n.kind === 'chord') {
      const header = this.level(n.id, 'header').map((b) => b.node);
      const body = this.level(n.id, 'body');
      if (body.length === 0)
        throw new Rejection('A chord needs a body: drop a task behind its barrier.', [], [n.id]);
      const bodyNode =
        body.length === 1
          ? body[0]!.node
          : ({ type: 'group', tasks: body.map((b) => b.node), link: [], link_error: [] } as CanvasNode);
      node = { type: 'chord', header, body: bodyNode, link, link_error };
    } else {
      const inner = this.level(n.id, undefined);
      let tasks: CanvasNode[];
      if (inner.length === 0) tasks = [];
      else if (inner.length === 1) {
        const only = inner[0]!;
        tasks = only.sequence && only.node.type === 'chain' ? only.node.tasks : [only.node];
      } else tasks = [{ type: 'group', tasks: inner.map((b) => b.node), link: [], link_error: [] }];
      node = { type: 'chain', tasks, link, link_error };
    }
    this.building.delete(n.id);
    return this.stamp(node, n.id);
  }

  private regionOf(n: DrawNode): DrawRegion | undefined {
    return this.byId.get(n.parentId ?? '')?.kind === 'chord' ? n.region : undefined;
  }
}
