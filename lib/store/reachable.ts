/**
 * Graph queries for selection: what is upstream or downstream of the selected drawn nodes.
 */
import type { Drawing } from '../canvas/drawing';
import type { CanvasNode } from '../canvas/model';
import { descendants, drawEditorTree } from './edits';

/** Drawn ids upstream (`up`) or downstream of the given nodes, following flow and callback edges. */
export function reachable(
  tree: CanvasNode | null,
  ids: readonly string[],
  direction: 'up' | 'down',
): string[] {
  const d = drawEditorTree(tree);
  const out = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const e of d.edges) {
      const next =
        direction === 'down' ? (e.source === id ? e.target : null) : e.target === id ? e.source : null;
      if (next !== null && !out.has(next)) {
        out.add(next);
        stack.push(next);
      }
    }
    const n = d.nodes.find((x) => x.id === id);
    // Leaving a container continues from the container itself.
    if (n?.parentId !== undefined && !out.has(n.parentId)) stack.push(n.parentId);
  }
  // A reached container brings its content along.
  for (const id of descendants(d, [...out])) out.add(id);
  for (const id of ids) out.delete(id);
  return [...out].filter((id) => !ids.some((s) => isAncestor(d, id, s)));
}

function isAncestor(d: Drawing, maybe: string, of: string): boolean {
  let cur = d.nodes.find((n) => n.id === of)?.parentId;
  while (cur !== undefined) {
    if (cur === maybe) return true;
    cur = d.nodes.find((n) => n.id === cur)?.parentId;
  }
  return false;
}
