/**
 * Reference (test oracle) for `seriesCuts.ts`: the series step as `drawingToTree` first did it (ready
 * list re-sorted at every step, every candidate cut checked by rescanning the prefix), kept unchanged so
 * property tests can check that the linear versions take exactly the same decisions. Not used by the
 * product.
 */
import type { LocalDag } from './seriesCuts';

/** Kahn's algorithm, ties broken by rank, re-sorting the ready list at every step. */
export function referenceTopologicalOrder(dag: LocalDag): number[] {
  const indeg = dag.pred.map((p) => p.length);
  const ready = indeg.flatMap((d, v) => (d === 0 ? [v] : []));
  const topo: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => dag.rank[a]! - dag.rank[b]!);
    const v = ready.shift()!;
    topo.push(v);
    for (const t of dag.succ[v]!) {
      indeg[t]!--;
      if (indeg[t] === 0) ready.push(t);
    }
  }
  return topo;
}

/** The prefixes of `topo` whose crossing edges are exactly (sinks of the prefix) x (sources of the rest). */
export function referenceSeriesCuts(dag: LocalDag, topo: readonly number[]): number[] {
  const inPrefix = new Set<number>();
  const outInPrefix = new Map<number, number>();
  const inFromRest = new Map(dag.pred.map((p, v) => [v, p.length]));
  let sinks = 0;
  let restSources = dag.pred.filter((p) => p.length === 0).length;
  let crossing = 0;
  const cuts: number[] = [];
  topo.forEach((n, i) => {
    if (i === topo.length - 1) return;
    inPrefix.add(n);
    if (inFromRest.get(n) === 0) restSources--;
    for (const s of dag.pred[n]!) {
      const c = (outInPrefix.get(s) ?? 0) + 1;
      outInPrefix.set(s, c);
      if (c === 1) sinks--;
      crossing--;
    }
    outInPrefix.set(n, 0);
    sinks++;
    for (const t of dag.succ[n]!) {
      crossing++;
      const r = inFromRest.get(t)! - 1;
      inFromRest.set(t, r);
      if (r === 0) restSources++;
    }
    if (crossing !== sinks * restSources) return;
    const valid = topo
      .slice(0, i + 1)
      .every((p) =>
        dag.succ[p]!.every((t) => inPrefix.has(t) || (outInPrefix.get(p) === 0 && inFromRest.get(t) === 0)),
      );
    if (valid) cuts.push(i + 1);
  });
  return cuts;
}
