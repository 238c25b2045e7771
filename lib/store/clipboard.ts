/**
 * Copy and paste on the drawing: a copied fragment is the chosen items with their content and the
 * edges among them; pasting adds it at the root level with fresh ids (one undo step).
 */
import type { Drawing, DrawNode } from '../canvas/drawing';
import type { CanvasNode } from '../canvas/model';
import { descendants, drawEditorTree, type EditResult, flowEdge, rebuild, setLevel } from './edits';
import type { UidSource } from './uids';

/** The drawn nodes and edges to copy: the chosen items, their content, and edges among them. */
export function copyFragment(tree: CanvasNode | null, ids: readonly string[]): Drawing {
  const d = drawEditorTree(tree);
  // Only top-most chosen nodes count; their containers' content comes along.
  const chosen = new Set(ids);
  const top = d.nodes.filter((n) => {
    if (!chosen.has(n.id)) return false;
    let cur = n.parentId;
    while (cur !== undefined) {
      if (chosen.has(cur)) return false;
      cur = d.nodes.find((x) => x.id === cur)?.parentId;
    }
    return true;
  });
  const keep = descendants(
    d,
    top.map((n) => n.id),
  );
  const topIds = new Set(top.map((n) => n.id));
  return {
    nodes: d.nodes.filter((n) => keep.has(n.id)).map((n) => (topIds.has(n.id) ? setLevel(n, {}) : n)),
    edges: d.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
  };
}

/** Pastes a copied fragment as new items at the root level, with fresh ids. */
export function pasteFragment(tree: CanvasNode | null, frag: Drawing, uid: UidSource): EditResult {
  if (frag.nodes.length === 0) return { ok: false, message: 'Nothing to paste: copy some tasks first.' };
  const map = new Map(frag.nodes.map((n) => [n.id, uid()]));
  const nodes = frag.nodes.map((n) => {
    const copy: DrawNode = { ...n, id: map.get(n.id)! };
    if (n.parentId !== undefined) copy.parentId = map.get(n.parentId)!;
    if (n.task !== undefined) copy.task = { ...n.task, link: [], link_error: [] };
    return copy;
  });
  const edges = frag.edges.map((e) => flowEdge(map.get(e.source)!, map.get(e.target)!, e.kind));
  const d = drawEditorTree(tree);
  const added = nodes.filter((n) => n.parentId === undefined).map((n) => n.id);
  return rebuild({ nodes: [...d.nodes, ...nodes], edges: [...d.edges, ...edges] }, added);
}
