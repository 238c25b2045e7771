import { describe, expect, it } from 'vitest';
import { TickGroup } from './tickGroup';

describe('TickGroup', () => {
  it('sends the requests of one turn together, cut by weight, each caller getting its own answer', async () => {
    const calls: number[][] = [];
    const g = new TickGroup<number, number>(
      async (reqs) => {
        calls.push(reqs);
        return reqs.map((r) => r * 10);
      },
      { max: 5, weight: (r) => r },
    );
    const answers = await Promise.all([1, 2, 2, 4, 9, 1].map((r) => g.call(r)));
    expect(answers).toEqual([10, 20, 20, 40, 90, 10]);
    // 1+2+2 fit in 5; 4 alone; 9 is heavier than a call but still goes, alone; then 1.
    expect(calls).toEqual([[1, 2, 2], [4], [9], [1]]);
    expect(await g.call(3)).toBe(30);
    expect(calls).toHaveLength(5);
  });

  it('fails only the caller whose request is bad, even when the send throws at once', async () => {
    const g = new TickGroup<number, number>(
      (reqs) => {
        if (reqs.includes(13)) throw new Error('thirteen');
        return Promise.resolve(reqs);
      },
      { max: 100 },
    );
    const settled = await Promise.allSettled([1, 13, 2].map((r) => g.call(r)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'thirteen' });
  });

  it('fails every caller at once when the error is not about a request', async () => {
    let sends = 0;
    const g = new TickGroup<number, number>(
      () => {
        sends++;
        return Promise.reject(new Error('Connection is closed.'));
      },
      { max: 100, retryAlone: () => false },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((r) => g.call(r)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(sends).toBe(1);
  });
});
