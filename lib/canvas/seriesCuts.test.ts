import { test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { arbDag, dagOf } from './dagArbitraries';
import { seriesCuts, topologicalOrder } from './seriesCuts';
import { referenceSeriesCuts, referenceTopologicalOrder } from './seriesCutsReference';

describe('seriesCuts', () => {
  it('cuts a chain between every pair of steps', () => {
    const dag = dagOf(4, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(seriesCuts(dag, topologicalOrder(dag))).toEqual([1, 2, 3]);
  });

  it('does not cut where the counts match but an edge skips a source of the rest', () => {
    // a -> c, b -> c: after [a] one sink, one rest source (b) and one crossing edge, but a -> c enters c,
    // which b also feeds. The only cut is after [a, b].
    const dag = dagOf(3, [
      [0, 2],
      [1, 2],
    ]);
    expect(seriesCuts(dag, topologicalOrder(dag))).toEqual([2]);
  });

  it('does not cut an N-shaped DAG', () => {
    const dag = dagOf(4, [
      [0, 2],
      [0, 3],
      [1, 3],
    ]);
    expect(seriesCuts(dag, topologicalOrder(dag))).toEqual([]);
  });

  test.prop([arbDag()], { numRuns: 500 })('takes the same cuts as the prefix-rescanning check', (dag) => {
    const topo = topologicalOrder(dag);
    expect(topo).toHaveLength(dag.succ.length);
    expect(seriesCuts(dag, topo)).toEqual(referenceSeriesCuts(dag, topo));
  });
});

describe('topologicalOrder', () => {
  it('takes the lowest rank among ready nodes', () => {
    const dag = dagOf(
      4,
      [
        [0, 1],
        [0, 2],
        [0, 3],
      ],
      [0, 3, 1, 2],
    );
    expect(topologicalOrder(dag)).toEqual([0, 2, 3, 1]);
  });

  test.prop([arbDag({ cyclic: true })], { numRuns: 500 })(
    'orders like Kahn with a re-sorted ready list, stopping short at cycles',
    (dag) => {
      expect(topologicalOrder(dag)).toEqual(referenceTopologicalOrder(dag));
    },
  );
});
