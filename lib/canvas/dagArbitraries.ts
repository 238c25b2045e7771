/**
 * fast-check arbitraries for the DAGs `drawingToTree` decomposes (as `LocalDag`s of seriesCuts.ts), used by
 * the differential tests of the series step and by the random-drawing tests.
 */
import fc from 'fast-check';
import type { LocalDag } from './seriesCuts';

/** A DAG from an edge list over `size` nodes; ranks default to the indices. */
export function dagOf(size: number, edges: [number, number][], rank?: number[]): LocalDag {
  const succ: number[][] = Array.from({ length: size }, () => []);
  const pred: number[][] = Array.from({ length: size }, () => []);
  for (const [s, t] of edges) {
    succ[s]!.push(t);
    pred[t]!.push(s);
  }
  return { succ, pred, rank: rank ?? succ.map((_, i) => i) };
}

type Shape = { kind: 'node' } | { kind: 'series' | 'parallel'; parts: Shape[] };

const { shape: arbShape } = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Shape>({ kind: 'node' }),
    fc.record({
      kind: fc.constantFrom('series' as const, 'parallel' as const),
      parts: fc.array(tie('shape'), { minLength: 1, maxLength: 4 }),
    }),
  ),
}));

/** Series-parallel edges of a shape; nodes are numbered in creation order, so every edge goes forward. */
function spEdges(shape: Shape): { size: number; edges: [number, number][] } {
  const edges: [number, number][] = [];
  let size = 0;
  const build = (s: Shape): { sources: number[]; sinks: number[] } => {
    if (s.kind === 'node') {
      const v = size++;
      return { sources: [v], sinks: [v] };
    }
    const parts = s.parts.map(build);
    if (s.kind === 'parallel')
      return { sources: parts.flatMap((p) => p.sources), sinks: parts.flatMap((p) => p.sinks) };
    for (let i = 1; i < parts.length; i++)
      for (const a of parts[i - 1]!.sinks) for (const b of parts[i]!.sources) edges.push([a, b]);
    return { sources: parts[0]!.sources, sinks: parts[parts.length - 1]!.sinks };
  };
  build(shape);
  return { size, edges };
}

/**
 * Random DAGs near series-parallel ones: an SP shape with a few edges toggled (so some cuts pass the
 * counting test but not the structural one), nodes relabelled and ranked at random.
 * @param options.perturb toggle edges (default true); without it every DAG is series-parallel.
 * @param options.cyclic also add backward edges, which may close cycles (default false).
 */
export function arbDag(options: { perturb?: boolean; cyclic?: boolean } = {}): fc.Arbitrary<LocalDag> {
  const pairs = (on: boolean, max: number) =>
    on ? fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: max }) : fc.constant([]);
  return fc
    .record({
      shape: arbShape,
      toggles: pairs(options.perturb ?? true, 4),
      back: pairs(options.cyclic ?? false, 2),
      labelKeys: fc.array(fc.double({ noNaN: true }), { minLength: 64, maxLength: 64 }),
      rankKeys: fc.array(fc.double({ noNaN: true }), { minLength: 64, maxLength: 64 }),
    })
    .filter(({ shape }) => spEdges(shape).size <= 64)
    .map(({ shape, toggles, back, labelKeys, rankKeys }) => {
      const { size, edges } = spEdges(shape);
      const present = new Map(edges.map(([s, t]) => [`${s} ${t}`, [s, t] as [number, number]]));
      for (const [x, y] of toggles) {
        const [s, t] = [Math.min(x % size, y % size), Math.max(x % size, y % size)];
        if (s === t) continue;
        const key = `${s} ${t}`;
        if (present.has(key)) present.delete(key);
        else present.set(key, [s, t]);
      }
      for (const [x, y] of back) {
        const [s, t] = [Math.max(x % size, y % size), Math.min(x % size, y % size)];
        if (s === t) continue;
        present.set(`${s} ${t}`, [s, t]);
      }
      const byKey = (keys: number[]) => {
        const ids = Array.from({ length: size }, (_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
        const at: number[] = [];
        ids.forEach((v, i) => {
          at[v] = i;
        });
        return at;
      };
      const label = byKey(labelKeys);
      const rank = byKey(rankKeys);
      const relabelled = [...present.values()].map(([s, t]) => [label[s]!, label[t]!] as [number, number]);
      const rankOf: number[] = [];
      label.forEach((l, v) => {
        rankOf[l] = rank[v]!;
      });
      return dagOf(size, relabelled, rankOf);
    });
}
