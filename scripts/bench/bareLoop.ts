/**
 * The reference of `bench:sim` (SPEC 4: "within 10× a bare binary-heap event loop doing the same
 * scheduling in the same process"): the canvas's task graph as flat arrays (successors, in-degrees,
 * durations), run on the simulator's own `TimeHeap` with the same workers × slots and a FIFO queue —
 * everything the simulator schedules, nothing it records (no core, no events, no results, no report).
 */
import type { CanvasNode } from '../../lib/canvas/model';
import { TimeHeap } from '../../lib/sim/heap';

export interface BareGraph {
  /** Successor task indexes, CSR-style: `next.slice(start[i], start[i + 1])`. */
  start: Int32Array;
  next: Int32Array;
  /** Predecessors left before a task may be queued. */
  indegree: Int32Array;
  durationMs: Float64Array;
  tasks: number;
}

/** Builds the dependency graph of a (normalized or written) canvas: chain = sequence, group = parallel, chord = join. */
export function bareGraph(canvas: CanvasNode, durationOf: (name: string) => number): BareGraph {
  const edges: number[][] = [];
  const durations: number[] = [];
  // Returns [entry tasks, exit tasks] of the subtree.
  const walk = (node: CanvasNode): [number[], number[]] => {
    switch (node.type) {
      case 'task': {
        const i = durations.length;
        durations.push(durationOf(node.task));
        edges.push([]);
        return [[i], [i]];
      }
      case 'group': {
        const entries: number[] = [];
        const exits: number[] = [];
        for (const t of node.tasks) {
          const [a, b] = walk(t);
          entries.push(...a);
          exits.push(...b);
        }
        return [entries, exits];
      }
      case 'chain':
      case 'chord': {
        const parts =
          node.type === 'chain'
            ? node.tasks
            : [{ type: 'group', tasks: node.header } as CanvasNode, node.body];
        let entries: number[] = [];
        let exits: number[] = [];
        parts.forEach((p, k) => {
          const [a, b] = walk(p);
          if (k === 0) entries = a;
          else for (const x of exits) edges[x]?.push(...a);
          exits = b;
        });
        return [entries, exits];
      }
    }
  };
  walk(canvas);
  const n = durations.length;
  const start = new Int32Array(n + 1);
  const indegree = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    start[i] = m;
    m += edges[i]?.length ?? 0;
  }
  start[n] = m;
  const next = new Int32Array(m);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (const j of edges[i] ?? []) {
      next[k++] = j;
      indegree[j] = (indegree[j] ?? 0) + 1;
    }
  }
  return { start, next, indegree, durationMs: Float64Array.from(durations), tasks: n };
}

/** Runs the graph to completion; returns the makespan (virtual ms). */
export function runBare(g: BareGraph, slots: number): number {
  const heap = new TimeHeap<{ t: number; seq: number; task: number }>();
  const waits = g.indegree.slice();
  const fifo = new Int32Array(g.tasks);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < g.tasks; i++) if (waits[i] === 0) fifo[tail++] = i;
  let free = slots;
  let now = 0;
  let seq = 0;
  const fill = () => {
    while (free > 0 && head < tail) {
      free -= 1;
      const task = fifo[head++] as number;
      heap.push({ t: now + (g.durationMs[task] as number), seq: seq++, task });
    }
  };
  fill();
  for (let a = heap.pop(); a !== undefined; a = heap.pop()) {
    now = a.t;
    free += 1;
    for (let e = g.start[a.task] as number; e < (g.start[a.task + 1] as number); e++) {
      const j = g.next[e] as number;
      waits[j] = (waits[j] as number) - 1;
      if (waits[j] === 0) fifo[tail++] = j;
    }
    fill();
  }
  return now;
}
