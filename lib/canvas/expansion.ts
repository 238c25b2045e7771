/**
 * How many task signatures a canvas can plan once Celery's rules have run, bounded from above without
 * building anything: an errback (`link_error`) on a chain, group or chord is copied onto every task it
 * covers (`links.ts`), and a `chunks` node becomes one task per part (`chunks.ts`). A written canvas of
 * 100,000 tasks — a group of 50,000 with 50,000 errbacks, or one chunks node of 1,000,000 items — could
 * otherwise plan billions and exhaust memory; the gate refuses it with a sentence instead.
 */
import { CHUNKS_TASK } from './chunks';
import type { CanvasNode, TaskNode } from './model';

/** The tasks one `chunks` node becomes when applied (`chunksGroup`: parts of `n` items). */
export function chunkParts(node: TaskNode): number {
  const it = node.kwargs.it;
  if (!Array.isArray(it)) return 0;
  const n = typeof node.kwargs.n === 'number' && node.kwargs.n >= 1 ? Math.floor(node.kwargs.n) : 1;
  return Math.ceil(it.length / n);
}

interface Frame {
  node: CanvasNode;
  /** Children pushed already (second visit: sum them up). */
  open: boolean;
}

/**
 * An upper bound of the task signatures `planRun` makes of `root` (callbacks and errbacks included).
 * Per node: `covered` = tasks an errback on it reaches (its tasks, not those of its callbacks), and
 * `planned` = its children's + its callbacks' once + its errbacks' once per covered task. Iterative
 * (post-order), a float (a hostile canvas may bound at 1e300; compare, do not print it raw).
 */
export function plannedTaskBound(root: CanvasNode): number {
  const covered = new Map<CanvasNode, number>();
  const planned = new Map<CanvasNode, number>();
  const stack: Frame[] = [{ node: root, open: false }];
  for (let f = stack.pop(); f !== undefined; f = stack.pop()) {
    const { node } = f;
    if (!f.open) {
      stack.push({ node, open: true });
      for (const n of node.link) stack.push({ node: n, open: false });
      for (const n of node.link_error) stack.push({ node: n, open: false });
      if (node.type === 'chain' || node.type === 'group')
        for (const n of node.tasks) stack.push({ node: n, open: false });
      else if (node.type === 'chord') {
        for (const n of node.header) stack.push({ node: n, open: false });
        stack.push({ node: node.body, open: false });
      }
      continue;
    }
    let cover = 0;
    let total = 0;
    if (node.type === 'task') {
      cover = node.task === CHUNKS_TASK ? chunkParts(node) : 1;
      total = cover;
    } else {
      const children = node.type === 'chord' ? [...node.header, node.body] : node.tasks;
      for (const c of children) {
        cover += covered.get(c) ?? 0;
        total += planned.get(c) ?? 0;
      }
    }
    for (const cb of node.link) total += planned.get(cb) ?? 0;
    for (const eb of node.link_error) total += cover * (planned.get(eb) ?? 0);
    covered.set(node, cover);
    planned.set(node, total);
  }
  return planned.get(root) ?? 0;
}
