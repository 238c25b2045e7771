/**
 * Default layout of the drawing, computed from the tree's series-parallel structure: a chain runs left to
 * right, parallel members stack top to bottom, a chord has its header column, a barrier, then its body;
 * callbacks sit under their owner. Positions are relative to the enclosing container (React Flow's
 * sub-flow convention). Manual positions (by drawn id) override, and containers grow to hold them.
 * Pure and O(n), so it runs on every edit.
 */
import { type Drawing, uidOf } from '../canvas/drawing';
import type { CanvasNode } from '../canvas/model';
import type { StackRange, StackSpec } from '../canvas/stacks';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Chords: x of the barrier line, relative to the chord. */
  barrierX?: number;
}

export interface XY {
  x: number;
  y: number;
}

export const TASK_W = 200;
export const TASK_H = 62;
/** Size of a stacked node (lib/canvas/stacks.ts): a task card with counts, progress and a histogram. */
export const STACK_W = 248;
export const STACK_H = 150;
const GAP_X = 56;
const GAP_Y = 20;
const PAD = 18;
const HEAD = 34;
const BARRIER = 64;

interface Block {
  w: number;
  h: number;
  /** Vertical offset of the flow handles (the owner's middle). */
  anchor: number;
  place(x: number, y: number): void;
}

/**
 * Lays out a drawn editor tree; returns boxes by drawn id. With `stacks` (the drawn stacks of
 * `stackDrawing`), a stacked member list is one stack box followed by the members of its expanded range.
 */
export function layoutDrawing(
  tree: CanvasNode | null,
  drawing: Drawing,
  manual: Readonly<Record<string, XY>> = {},
  stacks: ReadonlyArray<{ spec: StackSpec; range: StackRange }> = [],
): Map<string, Box> {
  const boxes = new Map<string, Box>();
  if (tree === null) return boxes;
  const drawn = new Set(drawing.nodes.map((n) => n.id));
  const stackOf = new Map(stacks.map((s) => [s.spec.ownerId, s]));
  /** The blocks of a member list: every member, or the stack box and its expanded range. */
  const members = (owner: CanvasNode, list: readonly CanvasNode[]): Block[] => {
    const uid = uidOf(owner);
    const s = uid === undefined ? undefined : stackOf.get(uid);
    if (s === undefined) return list.map(block);
    const stackBox: Block = {
      w: STACK_W,
      h: STACK_H,
      anchor: STACK_H / 2,
      place(x, y) {
        boxes.set(s.spec.id, { x, y, w: STACK_W, h: STACK_H });
      },
    };
    return [stackBox, ...list.slice(s.range.from, s.range.to).map(block)];
  };

  const stack = (blocks: Block[], dir: 'row' | 'column'): Block => {
    if (dir === 'column') {
      const w = Math.max(0, ...blocks.map((b) => b.w));
      const h = blocks.reduce((s, b) => s + b.h, 0) + GAP_Y * Math.max(0, blocks.length - 1);
      return {
        w,
        h,
        anchor: h / 2,
        place(x, y) {
          let cy = y;
          for (const b of blocks) {
            b.place(x, cy);
            cy += b.h + GAP_Y;
          }
        },
      };
    }
    const anchor = Math.max(0, ...blocks.map((b) => b.anchor));
    const h = Math.max(0, ...blocks.map((b) => anchor - b.anchor + b.h));
    const w = blocks.reduce((s, b) => s + b.w, 0) + GAP_X * Math.max(0, blocks.length - 1);
    return {
      w,
      h,
      anchor,
      place(x, y) {
        let cx = x;
        for (const b of blocks) {
          b.place(cx, y + anchor - b.anchor);
          cx += b.w + GAP_X;
        }
      },
    };
  };

  const withCallbacks = (node: CanvasNode, owner: Block): Block => {
    const cbs = [...node.link, ...node.link_error].map(block);
    if (cbs.length === 0) return owner;
    const row = stack(cbs, 'row');
    return {
      w: Math.max(owner.w, row.w + GAP_X / 2),
      h: owner.h + GAP_Y * 2 + row.h,
      anchor: owner.anchor,
      place(x, y) {
        owner.place(x, y);
        row.place(x + GAP_X / 2, y + owner.h + GAP_Y * 2);
      },
    };
  };

  const container = (id: string, inner: Block, extra?: (box: Box) => void): Block => {
    const w = Math.max(inner.w + PAD * 2, 160);
    const h = Math.max(HEAD + inner.h + PAD, 80);
    return {
      w,
      h,
      anchor: h / 2,
      place(x, y) {
        const box: Box = { x, y, w, h };
        extra?.(box);
        boxes.set(id, box);
        inner.place(PAD, HEAD);
      },
    };
  };

  function block(node: CanvasNode): Block {
    const id = uidOf(node);
    if (node.type === 'task') {
      const own: Block = {
        w: TASK_W,
        h: TASK_H,
        anchor: TASK_H / 2,
        place(x, y) {
          if (id !== undefined) boxes.set(id, { x, y, w: TASK_W, h: TASK_H });
        },
      };
      return withCallbacks(node, own);
    }
    if (node.type === 'chain' && (id === undefined || !drawn.has(id))) {
      return stack(node.tasks.map(block), 'row');
    }
    let own: Block;
    if (node.type === 'group') own = container(id!, stack(members(node, node.tasks), 'column'));
    else if (node.type === 'chain') own = container(id!, stack(node.tasks.map(block), 'row'));
    else {
      const header = stack(members(node, node.header), 'column');
      const body = block(node.body);
      const inner: Block = {
        w: header.w + BARRIER + body.w,
        h: Math.max(header.h, body.h),
        anchor: Math.max(header.h, body.h) / 2,
        place(x, y) {
          const hh = Math.max(header.h, body.h);
          header.place(x, y + (hh - header.h) / 2);
          body.place(x + header.w + BARRIER, y + hh / 2 - body.anchor);
        },
      };
      const hw = header.w;
      own = container(id!, inner, (box) => {
        box.barrierX = PAD + hw + BARRIER / 2;
      });
    }
    return withCallbacks(node, own);
  }

  const rootId = uidOf(tree);
  if (tree.type === 'group' && (rootId === undefined || !drawn.has(rootId))) {
    stack(members(tree, tree.tasks), 'column').place(0, 0);
    // Root callbacks only exist on a drawn root group; nothing else to place.
  } else block(tree).place(0, 0);

  for (const [id, p] of Object.entries(manual)) {
    const b = boxes.get(id);
    if (b !== undefined) boxes.set(id, { ...b, x: p.x, y: p.y });
  }
  // Containers grow to hold manually placed members (children come after parents in drawing order;
  // stack boxes are the innermost items of their container, so they go first).
  const placed: Array<{ id: string; parentId?: string | undefined; region?: string | undefined }> = [
    ...drawing.nodes,
    ...stacks.map((s) => ({ id: s.spec.id, parentId: s.spec.parentId, region: s.spec.region })),
  ];
  for (let i = placed.length - 1; i >= 0; i--) {
    const n = placed[i]!;
    if (n.parentId === undefined) continue;
    const parent = boxes.get(n.parentId);
    const b = boxes.get(n.id);
    if (parent === undefined || b === undefined) continue;
    if (b.x + b.w + PAD > parent.w || b.y + b.h + PAD > parent.h)
      boxes.set(n.parentId, {
        ...parent,
        w: Math.max(parent.w, b.x + b.w + PAD),
        h: Math.max(parent.h, b.y + b.h + PAD),
      });
  }
  // A chord's barrier sits between its header's right edge and its body's left edge.
  for (const c of drawing.nodes) {
    if (c.kind !== 'chord') continue;
    const box = boxes.get(c.id);
    const inside = placed.filter((n) => n.parentId === c.id);
    const right = Math.max(
      ...inside
        .filter((n) => n.region === 'header')
        .map((n) => (boxes.get(n.id)?.x ?? 0) + (boxes.get(n.id)?.w ?? 0)),
    );
    const left = Math.min(...inside.filter((n) => n.region === 'body').map((n) => boxes.get(n.id)?.x ?? 0));
    if (box !== undefined && Number.isFinite(right) && Number.isFinite(left) && left > right)
      boxes.set(c.id, { ...box, barrierX: (left + right) / 2 });
  }
  return boxes;
}
