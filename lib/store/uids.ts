/**
 * Editor identity of tree nodes. The editor tags every node of its document tree with a `uid` property
 * (not part of the canvas contract) so drawn nodes keep their id, position and selection across edits
 * and undo. Exports strip it.
 */
import { uidOf } from '../canvas/drawing';
import type { CanvasNode } from '../canvas/model';

export type UidSource = () => string;

/** A uid source counting up from `start` (deterministic; no randomness in lib/). */
export function createUidSource(start = 1): UidSource {
  let next = start;
  return () => `u${next++}`;
}

/** The next free counter value above every `u<N>` uid in the tree. */
export function nextUidCounter(node: CanvasNode | null): number {
  let max = 0;
  visit(node, (n) => {
    const m = /^u(\d+)$/.exec(uidOf(n) ?? '');
    if (m) max = Math.max(max, Number(m[1]));
  });
  return max + 1;
}

function visit(node: CanvasNode | null, f: (n: CanvasNode) => void): void {
  if (node === null) return;
  f(node);
  if (node.type === 'chain' || node.type === 'group') for (const c of node.tasks) visit(c, f);
  if (node.type === 'chord') {
    for (const c of node.header) visit(c, f);
    visit(node.body, f);
  }
  for (const c of node.link) visit(c, f);
  for (const c of node.link_error) visit(c, f);
}

function mapChildren(node: CanvasNode, f: (n: CanvasNode) => CanvasNode): CanvasNode {
  const link = node.link.map(f);
  const link_error = node.link_error.map(f);
  switch (node.type) {
    case 'task':
      return { ...node, link, link_error };
    case 'chain':
    case 'group':
      return { ...node, tasks: node.tasks.map(f), link, link_error };
    case 'chord':
      return { ...node, header: node.header.map(f), body: f(node.body), link, link_error };
  }
}

/** A copy of the tree where every node has a uid (existing ones kept unless `fresh`). */
export function withUids(node: CanvasNode, uid: UidSource, fresh = false): CanvasNode {
  const copy = mapChildren(node, (c) => withUids(c, uid, fresh));
  return Object.assign(copy, { uid: !fresh && uidOf(node) !== undefined ? uidOf(node) : uid() });
}

/** A copy of the tree without editor uids (what exports and validators see). */
export function stripUids(node: CanvasNode): CanvasNode {
  const copy = mapChildren(node, stripUids) as CanvasNode & { uid?: string };
  delete copy.uid;
  return copy;
}

/** Replaces the node with the given uid (returns the same tree object when nothing matched). */
export function replaceByUid(node: CanvasNode, uid: string, f: (n: CanvasNode) => CanvasNode): CanvasNode {
  if (uidOf(node) === uid) return Object.assign(f(node), { uid });
  let changed = false;
  const next = mapChildren(node, (c) => {
    const r = replaceByUid(c, uid, f);
    if (r !== c) changed = true;
    return r;
  });
  return changed ? Object.assign(next, { uid: uidOf(node) }) : node;
}

/** Finds the node with the given uid. */
export function findByUid(node: CanvasNode | null, uid: string): CanvasNode | undefined {
  let found: CanvasNode | undefined;
  visit(node, (n) => {
    if (found === undefined && uidOf(n) === uid) found = n;
  });
  return found;
}

/** Every uid in the subtree. */
export function uidsIn(node: CanvasNode): string[] {
  const out: string[] = [];
  visit(node, (n) => {
    const u = uidOf(n);
    if (u !== undefined) out.push(u);
  });
  return out;
}
