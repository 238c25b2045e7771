/**
 * Structural edits of the editor's canvas, expressed on the drawing and converted back to the tree
 * (`drawingToTree`), so that what the user does on the canvas and what the tree becomes are one rule.
 * Every edit is pure: `(tree, args) -> EditResult`; a rejected edit names why (and which edges).
 */
import {
  type DrawEdge,
  type DrawEdgeKind,
  type Drawing,
  type DrawNode,
  type DrawRegion,
  drawingToTree,
  edgeId,
  treeToDrawing,
  uidOf,
} from '../canvas/drawing';
import type { CanvasNode, GroupNode } from '../canvas/model';
import { type UidSource, uidsIn, withUids } from './uids';

export type EditResult =
  | { ok: true; tree: CanvasNode | null; added?: string[] }
  | { ok: false; message: string; edges?: string[] };

/** Where a new item goes: a container (and chord region), or the root level. */
export interface Level {
  parentId?: string;
  region?: DrawRegion;
}

/** The drawing of an editor tree (drawn ids = uids). */
export function drawEditorTree(tree: CanvasNode | null): Drawing {
  if (tree === null) return { nodes: [], edges: [] };
  return treeToDrawing(tree, { idOf: (n) => uidOf(n) });
}

const drawings = new WeakMap<CanvasNode, Drawing>();

/**
 * The drawing of an editor tree, cached per tree object (trees are immutable in the store), for read-only
 * use by views. Edits use `drawEditorTree`, which returns a fresh drawing they may change.
 */
export function drawingOf(tree: CanvasNode | null): Drawing {
  if (tree === null) return { nodes: [], edges: [] };
  let d = drawings.get(tree);
  if (d === undefined) {
    d = drawEditorTree(tree);
    drawings.set(tree, d);
  }
  return d;
}

export function rebuild(d: Drawing, added?: string[]): EditResult {
  if (d.nodes.length === 0) return { ok: true, tree: null };
  const r = drawingToTree(d, { keepIds: true });
  if (!r.ok) return { ok: false, message: r.message, edges: r.edges.map((e) => e.id) };
  return added === undefined ? { ok: true, tree: r.tree } : { ok: true, tree: r.tree, added };
}

export function flowEdge(source: string, target: string, kind: DrawEdgeKind = 'flow'): DrawEdge {
  return { id: edgeId(source, target, kind), source, target, kind };
}

export function setLevel(n: DrawNode, level: Level): DrawNode {
  const copy: DrawNode = { ...n };
  delete copy.parentId;
  delete copy.region;
  if (level.parentId !== undefined) copy.parentId = level.parentId;
  if (level.region !== undefined) copy.region = level.region;
  return copy;
}

/** The drawing of an item (a subtree with uids) as a fragment to splice into a level. */
function fragment(item: CanvasNode, level: Level): { nodes: DrawNode[]; edges: DrawEdge[]; top: string[] } {
  const wrapped: GroupNode = { type: 'group', tasks: [item, item], link: [], link_error: [] };
  // Drawing a two-member root group lays its members out loose; we keep the first copy only.
  const d = treeToDrawing(wrapped, { idOf: (n) => uidOf(n) });
  const ids = new Set(uidsIn(item));
  const seen = new Set<string>();
  const nodes: DrawNode[] = [];
  for (const n of d.nodes) {
    if (!ids.has(n.id) || seen.has(n.id)) continue;
    seen.add(n.id);
    nodes.push(n.parentId === undefined ? setLevel(n, level) : n);
  }
  const edges = d.edges.filter((e, i) => d.edges.findIndex((x) => x.id === e.id) === i);
  const top = nodes.filter((n) => n.parentId === level.parentId && !edges.some((e) => e.target === n.id));
  return { nodes, edges, top: top.map((n) => n.id) };
}

function levelOf(d: Drawing, id: string): Level {
  const n = d.nodes.find((x) => x.id === id);
  const level: Level = {};
  if (n?.parentId !== undefined) level.parentId = n.parentId;
  if (n?.region !== undefined) level.region = n.region;
  return level;
}

function insertAfterLevel(d: Drawing, extra: DrawNode[], level: Level): DrawNode[] {
  // New members go after the last node of their level so parallel order follows insertion order.
  let at = -1;
  d.nodes.forEach((n, i) => {
    if (n.parentId === level.parentId && (level.region === undefined || n.region === level.region)) at = i;
    if (level.parentId !== undefined && n.id === level.parentId && at < i) at = i;
  });
  // Descendants of the last sibling come after it in drawing order; skip past them.
  const nodes = [...d.nodes];
  let pos = at + 1;
  const inside = (n: DrawNode): boolean => {
    let cur: DrawNode | undefined = n;
    while (cur?.parentId !== undefined) {
      if (cur.parentId === nodes[at]?.id) return true;
      cur = nodes.find((x) => x.id === cur!.parentId);
    }
    return false;
  };
  while (pos < nodes.length && at >= 0 && inside(nodes[pos]!)) pos++;
  nodes.splice(pos, 0, ...extra);
  return nodes;
}

/** Adds an unconnected item (a parallel member) at a level; `null` tree = empty canvas. */
export function addItem(tree: CanvasNode | null, item: CanvasNode, level: Level, uid: UidSource): EditResult {
  const tagged = withUids(item, uid, true);
  if (tree === null && level.parentId === undefined)
    return { ok: true, tree: tagged, added: [uidOf(tagged)!] };
  const d = drawEditorTree(tree);
  if (level.parentId !== undefined && !d.nodes.some((n) => n.id === level.parentId))
    return { ok: false, message: 'That container is no longer on the canvas.' };
  const f = fragment(tagged, level);
  return rebuild({ nodes: insertAfterLevel(d, f.nodes, level), edges: [...d.edges, ...f.edges] }, [
    uidOf(tagged)!,
  ]);
}

/** Inserts an item into an edge: `s -> t` becomes `s -> item -> t`. */
export function insertOnEdge(
  tree: CanvasNode | null,
  id: string,
  item: CanvasNode,
  uid: UidSource,
): EditResult {
  const d = drawEditorTree(tree);
  const e = d.edges.find((x) => x.id === id);
  if (e === undefined) return { ok: false, message: 'That edge is no longer on the canvas.' };
  const tagged = withUids(item, uid, true);
  const level = levelOf(d, e.target);
  const f = fragment(tagged, level);
  const head = uidOf(tagged)!;
  const edges = d.edges.filter((x) => x.id !== id);
  edges.push(...f.edges, flowEdge(e.source, head, e.kind), flowEdge(head, e.target));
  return rebuild({ nodes: insertAfterLevel(d, f.nodes, level), edges }, [head]);
}

/** Connects two drawn nodes (a flow edge, or a `link`/`link_error` callback edge). */
export function connect(
  tree: CanvasNode | null,
  source: string,
  target: string,
  kind: DrawEdgeKind,
): EditResult {
  if (source === target) return { ok: false, message: 'A task cannot feed itself.' };
  const d = drawEditorTree(tree);
  if (d.edges.some((e) => e.source === source && e.target === target && e.kind === kind))
    return { ok: true, tree };
  return rebuild({ nodes: d.nodes, edges: [...d.edges, flowEdge(source, target, kind)] });
}

/** Removes edges by id. */
export function removeEdges(tree: CanvasNode | null, ids: readonly string[]): EditResult {
  const d = drawEditorTree(tree);
  const set = new Set(ids);
  return rebuild({ nodes: d.nodes, edges: d.edges.filter((e) => !set.has(e.id)) });
}

export function descendants(d: Drawing, ids: Iterable<string>): Set<string> {
  const out = new Set(ids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of d.nodes)
      if (n.parentId !== undefined && out.has(n.parentId) && !out.has(n.id)) {
        out.add(n.id);
        grew = true;
      }
  }
  return out;
}

/** Deletes drawn nodes (containers with their content); a deleted step's neighbours are reconnected. */
export function removeNodes(tree: CanvasNode | null, ids: readonly string[]): EditResult {
  let d = drawEditorTree(tree);
  const gone = descendants(d, ids);
  for (const id of ids) {
    const preds = d.edges.filter((e) => e.target === id && e.kind === 'flow').map((e) => e.source);
    const succs = d.edges.filter((e) => e.source === id && e.kind === 'flow').map((e) => e.target);
    const bridged = preds.flatMap((p) => succs.map((s) => flowEdge(p, s)));
    d = { nodes: d.nodes, edges: [...d.edges.filter((e) => e.source !== id && e.target !== id), ...bridged] };
  }
  const edges = d.edges.filter(
    (e, i) => !gone.has(e.source) && !gone.has(e.target) && d.edges.findIndex((x) => x.id === e.id) === i,
  );
  return rebuild({ nodes: d.nodes.filter((n) => !gone.has(n.id)), edges });
}

/** Wraps sibling nodes in a new group, chain or chord container (a chord takes the selection's first step as header). */
export function wrap(
  tree: CanvasNode | null,
  ids: readonly string[],
  kind: 'group' | 'chain' | 'chord',
  uid: UidSource,
): EditResult {
  const d = drawEditorTree(tree);
  const chosen = d.nodes.filter((n) => ids.includes(n.id));
  if (chosen.length === 0) return { ok: false, message: 'Select the tasks to wrap first.' };
  const first = chosen[0]!;
  if (chosen.some((n) => n.parentId !== first.parentId || n.region !== first.region))
    return {
      ok: false,
      message: 'Wrap works on items side by side in the same container; select siblings only.',
    };
  const set = new Set(chosen.map((n) => n.id));
  const cid = uid();
  const level = levelOf(d, first.id);
  let regionOf = (_n: DrawNode): DrawRegion | undefined => undefined;
  let edges = d.edges;
  if (kind === 'chord') {
    const sub = drawingToTree(
      {
        nodes: d.nodes
          .filter((n) => descendants(d, set).has(n.id))
          .map((n) => (set.has(n.id) ? setLevel(n, {}) : n)),
        edges: d.edges.filter((e) => set.has(e.source) && set.has(e.target)),
      },
      { keepIds: true },
    );
    if (!sub.ok) return { ok: false, message: sub.message };
    if (sub.tree.type !== 'chain' || uidOf(sub.tree) !== undefined)
      return {
        ok: false,
        message:
          'To make a chord, select the header tasks together with the task(s) that receive their results.',
      };
    const head = sub.tree.tasks[0]!;
    const header = new Set(
      head.type === 'group' && uidOf(head) === undefined ? head.tasks.flatMap(uidsIn) : uidsIn(head),
    );
    // A selected group container as the first step gives its members to the header (no group in a group).
    const dissolve =
      head.type === 'group' && uidOf(head) !== undefined && set.has(uidOf(head)!) ? uidOf(head)! : null;
    if (dissolve !== null) {
      header.delete(dissolve);
      set.delete(dissolve);
      for (const n of d.nodes) if (n.parentId === dissolve) set.add(n.id);
      const inner = d.nodes.filter((n) => n.parentId === dissolve).map((n) => n.id);
      edges = edges.flatMap((e) => {
        if (e.source === dissolve) return [];
        if (e.target === dissolve) return inner.map((k) => flowEdge(e.source, k, e.kind));
        return [e];
      });
      d.nodes.splice(
        d.nodes.findIndex((n) => n.id === dissolve),
        1,
      );
    }
    regionOf = (n) => (header.has(n.id) ? 'header' : 'body');
    // The barrier replaces the edges from the header to the body.
    edges = edges.filter((e) => !(header.has(e.source) && set.has(e.target) && !header.has(e.target)));
  }
  const container: DrawNode = setLevel({ id: cid, kind, path: [] }, level);
  const nodes: DrawNode[] = [];
  let placed = false;
  for (const n of d.nodes) {
    if (!placed && set.has(n.id)) {
      nodes.push(container);
      placed = true;
    }
    if (!set.has(n.id)) nodes.push(n);
    else {
      const r = regionOf(n);
      nodes.push(setLevel(n, r === undefined ? { parentId: cid } : { parentId: cid, region: r }));
    }
  }
  const moved = edges.map((e) => {
    const s = set.has(e.source);
    const t = set.has(e.target);
    if (s && t) return e;
    if (s) return flowEdge(cid, e.target, e.kind);
    if (t) return flowEdge(e.source, cid, e.kind);
    return e;
  });
  const unique = moved.filter((e, i) => moved.findIndex((x) => x.id === e.id) === i);
  return rebuild({ nodes, edges: unique }, [cid]);
}

/** Dissolves a container: its members take its place (a chord's header feeds its body directly). */
export function unwrap(tree: CanvasNode | null, id: string): EditResult {
  const d = drawEditorTree(tree);
  const c = d.nodes.find((n) => n.id === id);
  if (c === undefined || c.kind === 'task')
    return { ok: false, message: 'Select a group, chain or chord to unwrap.' };
  const level = levelOf(d, id);
  const kids = d.nodes.filter((n) => n.parentId === id);
  const within = (n: DrawNode, region?: DrawRegion) => region === undefined || n.region === region;
  const sources = (region?: DrawRegion) =>
    kids
      .filter((k) => within(k, region) && !d.edges.some((e) => e.target === k.id && e.kind === 'flow'))
      .filter((k) => !d.edges.some((e) => e.target === k.id && e.kind !== 'flow'));
  const sinks = (region?: DrawRegion) =>
    kids.filter(
      (k) =>
        within(k, region) &&
        !d.edges.some((e) => e.source === k.id && e.kind === 'flow') &&
        !d.edges.some((e) => e.target === k.id && e.kind !== 'flow'),
    );
  const entries = c.kind === 'chord' ? sources('header') : sources();
  const exits = c.kind === 'chord' ? sinks('body') : sinks();
  const edges: DrawEdge[] = [];
  for (const e of d.edges) {
    if (e.target === id && e.kind === 'flow') edges.push(...entries.map((k) => flowEdge(e.source, k.id)));
    else if (e.source === id && e.kind === 'flow') edges.push(...exits.map((k) => flowEdge(k.id, e.target)));
    else if (e.source !== id && e.target !== id) edges.push(e);
  }
  if (c.kind === 'chord')
    for (const h of sinks('header')) for (const b of sources('body')) edges.push(flowEdge(h.id, b.id));
  const nodes = d.nodes.filter((n) => n.id !== id).map((n) => (n.parentId === id ? setLevel(n, level) : n));
  return rebuild({ nodes, edges: edges.filter((e, i) => edges.findIndex((x) => x.id === e.id) === i) });
}

/** Moves a parallel member (of a group or a chord header) one place earlier (`-1`) or later (`+1`). */
export function reorder(tree: CanvasNode | null, id: string, delta: -1 | 1): EditResult {
  if (tree === null) return { ok: false, message: 'The canvas is empty.' };
  const d = drawEditorTree(tree);
  const n = d.nodes.find((x) => x.id === id);
  if (n === undefined)
    return { ok: false, message: 'Select a member of a group or chord header to reorder.' };
  const path = n.path;
  for (let i = path.length - 1; i >= 1; i--) {
    const key = path[i - 1];
    const index = path[i];
    if ((key !== 'tasks' && key !== 'header') || typeof index !== 'number') continue;
    const owner = getAt(tree, path.slice(0, i - 1));
    const list =
      owner?.type === 'group'
        ? owner.tasks
        : owner?.type === 'chord' && key === 'header'
          ? owner.header
          : null;
    if (list === null || list === undefined) continue;
    const j = index + delta;
    if (j < 0 || j >= list.length) return { ok: true, tree };
    const next = [...list];
    [next[index], next[j]] = [next[j]!, next[index]!];
    const replaced: CanvasNode =
      owner!.type === 'group'
        ? { ...owner!, tasks: next }
        : { ...(owner as Extract<CanvasNode, { type: 'chord' }>), header: next };
    return { ok: true, tree: setAt(tree, path.slice(0, i - 1), replaced) };
  }
  return { ok: false, message: 'Only members of a group or a chord header can be reordered.' };
}

function getAt(tree: CanvasNode, path: ReadonlyArray<string | number>): CanvasNode | undefined {
  let cur: unknown = tree;
  for (const p of path) cur = (cur as Record<string | number, unknown> | undefined)?.[p];
  return cur as CanvasNode | undefined;
}

function setAt(tree: CanvasNode, path: ReadonlyArray<string | number>, value: CanvasNode): CanvasNode {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const child = (tree as unknown as Record<string | number, unknown>)[head!];
  if (Array.isArray(child)) {
    const idx = rest[0] as number;
    const arr = [...child] as CanvasNode[];
    arr[idx] = setAt(arr[idx]!, rest.slice(1), value);
    return { ...tree, [head!]: arr } as CanvasNode;
  }
  return { ...tree, [head!]: setAt(child as CanvasNode, rest, value) } as CanvasNode;
}

/** Adds a callback (`link`) or errback (`link_error`) task to a drawn node. */
export function addCallback(
  tree: CanvasNode | null,
  ownerId: string,
  kind: 'link' | 'link_error',
  item: CanvasNode,
  uid: UidSource,
): EditResult {
  const d = drawEditorTree(tree);
  if (!d.nodes.some((n) => n.id === ownerId)) return { ok: false, message: 'Select a task first.' };
  const tagged = withUids(item, uid, true);
  const level = levelOf(d, ownerId);
  const f = fragment(tagged, level);
  const head = uidOf(tagged)!;
  return rebuild(
    {
      nodes: insertAfterLevel(d, f.nodes, level),
      edges: [...d.edges, ...f.edges, flowEdge(ownerId, head, kind)],
    },
    [head],
  );
}
