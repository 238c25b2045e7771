import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { PART_ITEMS } from './planParts';
import { type RunRecord, RunStore, StoreBatch } from './runStore';

const redis = new Redis(testRedisUrl());
const store = new RunStore(redis, '{cfstore}');
afterAll(() => redis.quit());

function record(id: string, created: string, status: RunRecord['status'] = 'success', name = 'n'): RunRecord {
  return {
    id,
    name,
    project: 'p',
    status,
    payload: { a: 1 },
    canvas: { task: 'identity' },
    created,
    updated: created,
    started_ms: Date.parse(created),
  };
}

describe('run store', () => {
  it('numbers events without gaps, replays from any seq and publishes appends', async () => {
    const sub = new Redis(testRedisUrl());
    const messages: string[] = [];
    sub.on('message', (_c, m: string) => messages.push(m));
    await sub.subscribe(store.keys.eventsChannel);
    await store.createRun(record('r1', '2026-01-01T00:00:00.000Z'), { plan: true });
    const first = await store.appendEvents('r1', [
      { type: 'run.started', at: 0, tasks: [], run_id: 'r1' },
      { type: 'observation', at: 1, observation: 1, run_id: 'r1' },
    ]);
    expect(first).toBe(1);
    const batch = new StoreBatch(store);
    batch.appendEvents('r1', [{ type: 'observation', at: 2, observation: 2, run_id: 'r1' }]);
    batch.chordProgress('r1', 'r1.c.x', 'x', 2, 0, 3);
    batch.appendEvents('r1', [{ type: 'observation', at: 4, observation: 3, run_id: 'r1' }]);
    batch.chordProgress('r1', 'r1.c.x', 'x', 2, 1, 5);
    batch.setTaskStates('r1', new Map([['t1', { state: 'SUCCESS', result: 5 }]]));
    await batch.flush();
    const all = await store.readEvents('r1');
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.map((e) => e.type)).toEqual([
      'run.started',
      'observation',
      'observation',
      'chord.progress',
      'observation',
      'chord.progress',
    ]);
    expect(all[3]).toMatchObject({ chord_id: 'x', done: 1, total: 2, at: 3, run_id: 'r1' });
    expect(all[5]).toMatchObject({ done: 2, total: 3 });
    expect((await store.readEvents('r1', 4)).map((e) => e.seq)).toEqual([5, 6]);
    expect(await store.getTaskStates('r1', ['t1', 'missing'])).toEqual(
      new Map([['t1', { state: 'SUCCESS', result: 5 }]]),
    );
    await new Promise((r) => setTimeout(r, 50));
    const parsed = messages.map(
      (m) => JSON.parse(m) as { run_id: string; first_seq: number; events: unknown[] },
    );
    expect(parsed[0]).toMatchObject({ run_id: 'r1', first_seq: 1 });
    expect(parsed.reduce((n, m) => n + m.events.length, 0)).toBe(6);
    sub.disconnect();
  });

  it('publishes a flush only while the channel has a subscriber (the log has every event either way)', async () => {
    const s = new RunStore(redis, '{cfquiet}');
    await s.createRun(record('q1', '2026-01-05T00:00:00.000Z'), {});
    const publishes = async () =>
      Number(/cmdstat_publish:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const before = await publishes();
    const batch = new StoreBatch(s);
    batch.appendEvents('q1', [{ type: 'observation', at: 1, observation: 1 }]);
    await batch.flush();
    expect(await publishes()).toBe(before);
    const sub = new Redis(testRedisUrl());
    const messages: string[] = [];
    sub.on('message', (_c, m: string) => messages.push(m));
    await sub.subscribe(s.keys.eventsChannel);
    batch.appendEvents('q1', [{ type: 'observation', at: 2, observation: 2 }]);
    await batch.flush();
    expect(await publishes()).toBe(before + 1);
    expect((await s.readEvents('q1')).map((e) => e.seq)).toEqual([1, 2]);
    await new Promise((r) => setTimeout(r, 50));
    expect(messages.map((m) => (JSON.parse(m) as { first_seq: number }).first_seq)).toEqual([2]);
    sub.disconnect();
  });

  it('flushes many runs in one call: states, events, progress mark and fields, whatever their text', async () => {
    const s = new RunStore(redis, '{cfflush}');
    await s.createRun(record('fa', '2026-01-04T00:00:00.000Z', 'pending'), {});
    await s.createRun(record('fb', '2026-01-04T00:00:01.000Z', 'pending'), {});
    const batch = new StoreBatch(s);
    // Byte lengths, not UTF-16 lengths, delimit the packed values (a `:` inside one is data).
    const odd = 'ü:€ 😀 "x"';
    batch.setTaskStates('fa', new Map([[odd, { state: 'SUCCESS', result: odd }]]));
    batch.appendEvents('fa', [{ type: 'observation', at: 1, observation: odd }]);
    batch.markProgress('fa');
    batch.markProgress('fb');
    batch.setRunFields('fb', { status: 'success', updated: 'later' });
    batch.chordProgress('fb', 'fb.c.x', 'x', 1, 0, 2);
    await batch.flush();
    expect(await s.getTaskStates('fa', [odd])).toEqual(new Map([[odd, { state: 'SUCCESS', result: odd }]]));
    expect((await s.readEvents('fa')).map((e) => e.type === 'observation' && e.observation)).toEqual([odd]);
    expect(await s.getStatus('fa')).toBe('progress');
    // The mark comes before the final fields, so a run that ends in the same flush ends final.
    expect(await s.getStatus('fb')).toBe('success');
    expect(await s.readEvents('fb')).toMatchObject([{ type: 'chord.progress', done: 1, total: 1 }]);
    // The script derived the run's keys as keys.ts spells them: deleting the run leaves none behind.
    await s.deleteRun('fb');
    expect(await redis.keys('{cfflush}:run:fb*')).toEqual([]);
    // A big flush is cut into calls; every state and event still lands, in order.
    const many = new Map(Array.from({ length: 2500 }, (_, i) => [`t${i}`, { state: 'SUCCESS', result: i }]));
    batch.setTaskStates('fa', many);
    batch.appendEvents(
      'fa',
      Array.from({ length: 2500 }, (_, i) => ({ type: 'observation' as const, at: 2, observation: i })),
    );
    await batch.flush();
    expect((await s.getTaskStates('fa')).size).toBe(2501);
    const events = await s.readEvents('fa', 1);
    expect(events.map((e) => e.type === 'observation' && e.observation)).toEqual(
      Array.from({ length: 2500 }, (_, i) => i),
    );
  });

  it('refuses a duplicate run id and keeps the first record', async () => {
    expect(await store.createRun(record('dup', '2026-01-02T00:00:00.000Z', 'pending', 'first'), {})).toBe(
      true,
    );
    expect(await store.createRun(record('dup', '2026-01-02T00:00:00.000Z', 'pending', 'second'), {})).toBe(
      false,
    );
    expect((await store.getRun('dup'))?.name).toBe('first');
  });

  it('registers the root members of a submit with the run, answers released empty headers; a duplicate registers nothing', async () => {
    const regs = {
      pairs: ['reg.root', 'reg.c.a', 'reg.c.a', 'reg.t.x', 'reg.root', 'reg.c.e'],
      created: ['reg.root', 'reg.c.a', 'reg.c.e'],
    };
    expect(
      await store.createRegistered(record('reg', '2026-01-02T00:00:00.000Z', 'pending'), {}, [], regs),
    ).toEqual(['reg.c.e']);
    const hash = `${store.keys.run('reg')}:barrier`;
    expect(await redis.hgetall(hash)).toEqual({
      'reg.c.a': '0',
      'reg.t.x': '0',
      'reg.c.e': '0',
      'reg.root|p': '2',
      'reg.c.a|p': '1',
      'reg.c.e|r': 'reg.submit',
    });
    const again = { pairs: ['reg.root', 'reg.t.y'], created: ['reg.root'] };
    expect(
      await store.createRegistered(record('reg', '2026-01-02T00:00:00.000Z', 'pending'), {}, [], again),
    ).toBe(undefined);
    expect(await redis.hexists(hash, 'reg.t.y')).toBe(0);
  });

  it('lists newest first with paging and filters, and prunes by age and count', async () => {
    const s = new RunStore(redis, '{cfstore2}');
    for (let i = 0; i < 6; i++) {
      await s.createRun(
        record(
          `run${i}`,
          `2026-01-0${i + 1}T00:00:00.000Z`,
          i === 5 ? 'progress' : i % 2 ? 'error' : 'success',
          i < 3 ? 'a' : 'b',
        ),
        {},
      );
    }
    expect((await s.listRuns({ perPage: 2 })).runs.map((r) => r.id)).toEqual(['run5', 'run4']);
    expect((await s.listRuns({ perPage: 2, page: 2 })).runs.map((r) => r.id)).toEqual(['run3', 'run2']);
    expect((await s.listRuns({ status: 'error' })).runs.map((r) => r.id)).toEqual(['run3', 'run1']);
    expect((await s.listRuns({ name: 'p.a' })).runs.map((r) => r.id)).toEqual(['run2', 'run1', 'run0']);
    // Older than 10 days before Jan 13 → run0, run1, run2; keep at most 2 → also run3; never the running run5.
    const deleted = await s.prune({
      maxAgeDays: 10,
      maxCount: 2,
      now: Date.parse('2026-01-13T12:00:00.000Z'),
    });
    expect(deleted.sort()).toEqual(['run0', 'run1', 'run2', 'run3']);
    expect((await s.listRuns()).runs.map((r) => r.id)).toEqual(['run5', 'run4']);
    expect(await s.getRun('run0')).toBeUndefined();
  });

  it('stores a long plan in slices and reads it back whole; a plan stored whole still reads', async () => {
    const tasks = Array.from({ length: 2 * PART_ITEMS + 1 }, (_, i) => ({ id: `t${i}`, name: 'add' }));
    const plan = { version: 1, run_id: 'big', top: 0, tasks, nodes: [{ kind: 'group' }], barriers: [] };
    await store.createRun(record('big', '2026-01-03T00:00:00.000Z'), plan);
    const fields = await redis.hkeys(store.keys.run('big'));
    expect(fields.filter((f) => f.startsWith('plan')).sort()).toEqual([
      'plan',
      'plan:tasks:0',
      'plan:tasks:1',
      'plan:tasks:2',
      'plan_parts',
    ]);
    // Same value, same key order (the JSON of the assembled plan is the JSON of the plan).
    expect(JSON.stringify(await store.getPlan('big'))).toBe(JSON.stringify(plan));
    await redis.hset(store.keys.run('old'), { id: 'old', created: 'x', plan: JSON.stringify(plan) });
    expect(await store.getPlan('old')).toEqual(plan);
    expect(await store.hasRun('old')).toBe(true);
    expect(await store.hasRun('none')).toBe(false);
  });
});
