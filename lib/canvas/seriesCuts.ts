/**
 * The series step of `drawingToTree` (drawingToTree.ts) on one DAG given by local indices: its
 * topological order and the prefixes of that order after which the DAG splits into a series of factors.
 * Both run in O(nodes + edges) so that a 20,000-step chain or a 10,000-way fan rebuilds at editing speed;
 * `seriesCutsReference.ts` keeps the straightforward quadratic versions as the tests' oracle.
 */

/** A DAG over local indices `0..size-1`; each edge is listed once in `succ` and once in `pred`. */
export interface LocalDag {
  succ: readonly (readonly number[])[];
  pred: readonly (readonly number[])[];
  /** Tie-break of the topological order: among ready nodes the lowest rank goes first (distinct ranks). */
  rank: readonly number[];
}

/**
 * Kahn's algorithm with the ready nodes in a min-heap on `rank`, so the order is deterministic (drawing
 * order among ready nodes) without re-sorting the ready list at every step.
 * @returns the topological order; shorter than the DAG when the nodes left out sit on or behind a cycle.
 */
export function topologicalOrder(dag: LocalDag): number[] {
  const { succ, pred, rank } = dag;
  const indeg = pred.map((p) => p.length);
  const heap: number[] = [];
  const less = (a: number, b: number) => rank[heap[a]!]! < rank[heap[b]!]!;
  const swap = (a: number, b: number) => {
    const x = heap[a]!;
    heap[a] = heap[b]!;
    heap[b] = x;
  };
  const push = (v: number) => {
    heap.push(v);
    for (let i = heap.length - 1; i > 0 && less(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const m = l + 1 < heap.length && less(l + 1, l) ? l + 1 : l;
        if (l >= heap.length || !less(m, i)) break;
        swap(i, m);
        i = m;
      }
    }
    return top;
  };
  indeg.forEach((d, v) => {
    if (d === 0) push(v);
  });
  const topo: number[] = [];
  while (heap.length > 0) {
    const v = pop();
    topo.push(v);
    for (const t of succ[v]!) if (--indeg[t]! === 0) push(t);
  }
  return topo;
}

/**
 * The series cuts of a DAG: every `i` (0 < i < topo.length) such that the edges from `topo[0..i)` to the
 * rest are exactly (sinks of the prefix) x (sources of the rest).
 *
 * The cut is tested with counters kept while the prefix grows, so each step costs the degree of the node
 * that joins it: `crossing` edges against sinks x sources (edges are distinct, so when no crossing edge is
 * "bad" the counts match only for the complete product), `badOut` crossing edges leaving a prefix node
 * that also feeds the prefix (not a sink), `badIn` crossing edges entering a rest node that is also fed
 * from the rest (not a source). Rescanning the prefix at every candidate instead made long chains
 * quadratic.
 * @param topo a complete topological order of `dag` (from `topologicalOrder`).
 */
export function seriesCuts(dag: LocalDag, topo: readonly number[]): number[] {
  const { succ, pred } = dag;
  const size = pred.length;
  const outInPrefix = new Int32Array(size); // edges from a node into the prefix
  const inFromRest = Int32Array.from(pred, (p) => p.length); // edges into a node from the rest
  const crossOut = new Int32Array(size); // edges from a prefix node into the rest
  const crossIn = new Int32Array(size); // edges into a rest node from the prefix
  let sinks = 0;
  let restSources = pred.filter((p) => p.length === 0).length;
  let crossing = 0;
  let badOut = 0;
  let badIn = 0;
  const cuts: number[] = [];
  for (let i = 0; i < topo.length - 1; i++) {
    const v = topo[i]!;
    // v leaves the rest as one of its sources: in a topological order its predecessors are all in the
    // prefix, so none of its crossing in-edges counted in badIn.
    restSources--;
    for (const p of pred[v]!) {
      // p -> v stops crossing, and p now feeds the prefix: all of p's crossing edges are bad.
      const before = outInPrefix[p]! > 0 ? crossOut[p]! : 0;
      crossOut[p]!--;
      crossing--;
      if (++outInPrefix[p]! === 1) sinks--;
      badOut += crossOut[p]! - before;
    }
    sinks++; // v feeds nothing earlier in the order
    for (const t of succ[v]!) {
      // v -> t starts crossing (v is a sink, so not bad on its side); t may become a source of the rest.
      const before = inFromRest[t]! > 0 ? crossIn[t]! : 0;
      crossOut[v]!++;
      crossIn[t]!++;
      crossing++;
      if (--inFromRest[t]! === 0) restSources++;
      badIn += (inFromRest[t]! > 0 ? crossIn[t]! : 0) - before;
    }
    if (badOut === 0 && badIn === 0 && crossing === sinks * restSources) cuts.push(i + 1);
  }
  return cuts;
}
