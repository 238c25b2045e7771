import { describe, expect, it } from 'vitest';
import type { RunStore } from '../runs/runStore';
import { RunContexts } from './runContext';

/** A run store whose Redis answers the context load from `plans` and counts the loads. */
function fakeStore(plans: Map<string, string>, failing = new Set<string>()) {
  const loads: string[] = [];
  const redis = {};
  const getRunHead = async (id: string) => {
    loads.push(id);
    if (failing.has(id)) throw new Error('Redis is away');
    const text = plans.get(id);
    return text === undefined ? undefined : { plan: text, parts: null, startedMs: 5, canceled: false };
  };
  const store = { redis, getRunHead, keys: { run: (id: string) => id, cancel: (id: string) => `c:${id}` } };
  return { store: store as unknown as RunStore, loads };
}

const plan = (tasks: number) =>
  JSON.stringify({
    run_id: 'r',
    tasks: Array.from({ length: tasks }, () => ({})),
    barriers: [{ key: 'root', total: 0 }],
  });

describe('RunContexts', () => {
  it('loads each plan once while many runs are in flight, and evicts the least recently used', async () => {
    const plans = new Map(Array.from({ length: 600 }, (_, i) => [`run${i}`, plan(1)] as const));
    const { store, loads } = fakeStore(plans);
    const contexts = new RunContexts(store, 500);
    for (let round = 0; round < 3; round++)
      for (let i = 0; i < 400; i++) expect((await contexts.get(`run${i}`))?.startedMs).toBe(5);
    expect(loads).toHaveLength(400);
    // run0 is used again, so the 200 new runs push out run1.. instead of it.
    await contexts.get('run0');
    for (let i = 400; i < 600; i++) await contexts.get(`run${i}`);
    await contexts.get('run0');
    expect(loads.filter((id) => id === 'run0')).toHaveLength(1);
    await contexts.get('run1');
    expect(loads.filter((id) => id === 'run1')).toHaveLength(2);
  });

  it('gives a loaded context without a promise, and nothing for a run not loaded or evicted', async () => {
    const plans = new Map(Array.from({ length: 3 }, (_, i) => [`run${i}`, plan(1)] as const));
    const { store, loads } = fakeStore(plans);
    const contexts = new RunContexts(store, 2);
    expect(contexts.ready('run0')).toBeUndefined();
    const loading = contexts.get('run0');
    expect(contexts.ready('run0')).toBeUndefined();
    expect(contexts.ready('run0')).toBeUndefined();
    const ctx = await loading;
    expect(contexts.ready('run0')).toBe(ctx);
    await contexts.get('run1');
    // `ready` counts as a use: run1, not run0, is the one the third run evicts.
    contexts.ready('run0');
    await contexts.get('run2');
    expect(contexts.ready('run0')).toBe(ctx);
    expect(contexts.ready('run1')).toBeUndefined();
    contexts.forget('run0');
    expect(contexts.ready('run0')).toBeUndefined();
    expect(loads).toEqual(['run0', 'run1', 'run2']);
  });

  it('keeps the plans within a byte budget and forgets failed loads', async () => {
    const plans = new Map([
      ['big1', plan(2000)],
      ['big2', plan(2000)],
    ]);
    const failing = new Set(['away']);
    const { store, loads } = fakeStore(plans, failing);
    const contexts = new RunContexts(store, 100, (plans.get('big1')?.length ?? 0) + 10);
    await contexts.get('big1');
    await contexts.get('big2');
    await contexts.get('big1');
    expect(loads).toEqual(['big1', 'big2', 'big1']);
    await expect(contexts.get('away')).rejects.toThrow('Redis is away');
    failing.delete('away');
    plans.set('away', plan(1));
    expect((await contexts.get('away'))?.plan.run_id).toBe('r');
  });
});
