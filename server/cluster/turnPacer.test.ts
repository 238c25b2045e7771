import { describe, expect, it } from 'vitest';
import { TurnPacer } from './turnPacer';

/** Resolves after the current turn's setImmediate callbacks (the pacer's next turn) have run. */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('TurnPacer', () => {
  it('admits a lone caller at once, with no promise to wait for', () => {
    const pacer = new TurnPacer(4);
    expect(pacer.admit()).toBeUndefined();
  });

  it('admits at most perTurn callers per event-loop turn, first come first served', async () => {
    const pacer = new TurnPacer(3);
    const order: number[] = [];
    const turnOf: number[] = [];
    let turn = 0;
    const callers = Array.from({ length: 8 }, async (_, i) => {
      const wait = pacer.admit();
      if (wait) await wait;
      order.push(i);
      turnOf[i] = turn;
    });
    // The first three went on synchronously, in this turn.
    expect(order).toEqual([0, 1, 2]);
    while (order.length < 8) {
      turn++;
      await nextTurn();
    }
    await Promise.all(callers);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const perTurn = new Map<number, number>();
    for (const t of turnOf) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(3);
    expect(perTurn.size).toBe(3); // 3 + 3 + 2
  });

  it('lets the rest of the event loop run between two turns of a burst', async () => {
    const pacer = new TurnPacer(2);
    const seen: string[] = [];
    const callers = Array.from({ length: 6 }, async (_, i) => {
      const wait = pacer.admit();
      if (wait) await wait;
      seen.push(`c${i}`);
    });
    // Queued after the burst began: it runs after the pacer's next turn, before the one after it (a
    // microtask-paced burst would run every caller first).
    setImmediate(() => seen.push('loop'));
    await Promise.all(callers);
    expect(seen).toEqual(['c0', 'c1', 'c2', 'c3', 'loop', 'c4', 'c5']);
  });

  it('gives a new turn a fresh budget once a burst is through', async () => {
    const pacer = new TurnPacer(2);
    for (let i = 0; i < 2; i++) expect(pacer.admit()).toBeUndefined();
    expect(pacer.admit()).toBeInstanceOf(Promise);
    await nextTurn();
    await nextTurn();
    expect(pacer.admit()).toBeUndefined();
  });
});
