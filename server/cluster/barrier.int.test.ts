/**
 * The barrier completion script (barrier.ts) against a private Redis: registration and completion in
 * either order, redelivery of the releaser, an empty header, a 20,000-member root registered in
 * chunks, and random interleavings with redeliveries (every barrier released once, only when all of
 * its members are done).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dispatch, Message } from '../../lib/engine/types';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { RunStore, StoreBatch } from '../runs/runStore';
import { Barriers, barrierHashKey, COMPLETE_TAIL } from './barrier';

const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
const prefix = `{bar${process.pid}}`;
afterAll(() => redis.disconnect());

let seq = 0;
const runId = () => `brun${++seq}`;

function task(key: string, parent: string | null): Dispatch {
  const message = { kind: 'task', key } as unknown as Message;
  return { message, parentBarrier: parent, delay_ms: 0 };
}
function barrier(key: string, parent: string | null, children: Dispatch[]): Dispatch {
  const message = { kind: 'barrier', key } as unknown as Message;
  return { message, parentBarrier: parent, delay_ms: 0, children };
}

// The worker's completions ride in its run store flush (storeBatch.ts's tail); a submit's go alone.
describe.each([
  ['in a script call of its own', () => new Barriers(redis, prefix)],
  [
    'riding in a run store flush',
    () => new Barriers(redis, prefix, new StoreBatch(new RunStore(redis, prefix), COMPLETE_TAIL)),
  ],
])('barrier completion script (%s)', (_how, make) => {
  const barriers = make();

  /** The barriers a completion released (barrier.ts `complete`). */
  async function complete(runId: string, key: string, parent: string, sent: Dispatch[]): Promise<string[]> {
    return (await barriers.complete(runId, key, parent, sent)).released;
  }

  it('a member that completes before it is registered is not counted twice', async () => {
    const r = runId();
    // The sender s (under the root) dispatches chord C with members x, y; x finishes before s's script.
    expect(await barriers.register(r, [barrier('root', null, [task('s', 'root')])])).toEqual([]);
    expect(await complete(r, 'x', 'C', [])).toEqual([]);
    expect(await complete(r, 's', 'root', [barrier('C', 'root', [task('x', 'C'), task('y', 'C')])])).toEqual(
      [],
    );
    expect(await redis.hget(barrierHashKey(prefix, r), 'C|p')).toBe('1');
    // y was the last pending member: it releases C.
    expect(await complete(r, 'y', 'C', [])).toEqual(['C']);
    // C's own completion (its body b registered in the root) does not release the root while b runs.
    expect(await complete(r, 'C', 'root', [task('b', 'root')])).toEqual([]);
    expect(await complete(r, 'b', 'root', [])).toEqual(['root']);
  });

  it('a barrier whose members all finished before their registration is released by its sender', async () => {
    const r = runId();
    await barriers.register(r, [barrier('root', null, [task('s', 'root')])]);
    expect(await complete(r, 'x', 'C', [])).toEqual([]);
    expect(await complete(r, 'y', 'C', [])).toEqual([]);
    const sent = [barrier('C', 'root', [task('x', 'C'), task('y', 'C')])];
    expect(await complete(r, 's', 'root', sent)).toEqual(['C']);
    // The sender's redelivery is told the same (the release is redone, idempotently); nobody else is.
    expect(await complete(r, 's', 'root', sent)).toEqual(['C']);
    expect(await complete(r, 'x', 'C', [])).toEqual([]);
  });

  it('redelivery of the releaser gets the same answer; other redeliveries none', async () => {
    const r = runId();
    await barriers.register(r, [
      barrier('root', null, [barrier('C', 'root', [task('a', 'C'), task('b', 'C')])]),
    ]);
    expect(await complete(r, 'a', 'C', [])).toEqual([]);
    expect(await barriers.complete(r, 'b', 'C', [])).toEqual({ released: ['C'], again: false });
    expect(await barriers.complete(r, 'a', 'C', [])).toEqual({ released: [], again: true });
    expect(await barriers.complete(r, 'b', 'C', [])).toEqual({ released: ['C'], again: true });
    // C's completion in the root released the root; its redelivery (b's job again) says so again.
    expect(await complete(r, 'C', 'root', [])).toEqual(['root']);
    expect(await complete(r, 'C', 'root', [])).toEqual(['root']);
    const h = await redis.hgetall(barrierHashKey(prefix, r));
    expect(h).toMatchObject({ 'C|r': 'b', 'root|r': 'C', 'C|p': '0', 'root|p': '0', a: '1', b: '1', C: '1' });
  });

  it('a chain continuation keeps the barrier open: registered in the same script that completes the sender', async () => {
    const r = runId();
    await barriers.register(r, [barrier('root', null, [task('s1', 'root')])]);
    expect(await complete(r, 's1', 'root', [task('s2', 'root')])).toEqual([]);
    expect(await complete(r, 's2', 'root', [task('s3', 'root')])).toEqual([]);
    expect(await complete(r, 's3', 'root', [])).toEqual(['root']);
  });

  it("a job's inline steps are recorded in one call, in order, as if one by one", async () => {
    const r = runId();
    await barriers.register(r, [barrier('root', null, [task('s1', 'root'), task('t', 'root')])]);
    const steps = [
      { key: 's1', parent: 'root', dispatches: [task('s2', 'root')] },
      { key: 's2', parent: 'root', dispatches: [task('s3', 'root')] },
      { key: 's3', parent: 'root', dispatches: [] },
    ];
    expect(await barriers.completeAll(r, steps)).toEqual([
      { released: [], again: false },
      { released: [], again: false },
      { released: [], again: false },
    ]);
    expect(await complete(r, 't', 'root', [])).toEqual(['root']);
    // The job redelivered: nothing released by it, every step found done.
    expect((await barriers.completeAll(r, steps)).map((c) => c.again)).toEqual([true, true, true]);
  });

  it('completions of many runs in the same turn share one script call; each gets its own answer', async () => {
    const runs = Array.from({ length: 50 }, () => runId());
    await Promise.all(
      runs.map((r) => barriers.register(r, [barrier('root', null, [task('a', 'root'), task('b', 'root')])])),
    );
    // In one turn: a of every run, then b of every other run (the others' b comes in the next turn).
    const first = await Promise.all([
      ...runs.map((r) => complete(r, 'a', 'root', [])),
      ...runs.filter((_, i) => i % 2 === 0).map((r) => complete(r, 'b', 'root', [])),
    ]);
    expect(first.slice(0, 50).every((a) => a.length === 0)).toBe(true);
    expect(first.slice(50).every((a) => a.length === 1 && a[0] === 'root')).toBe(true);
    const second = await Promise.all(
      runs.filter((_, i) => i % 2 === 1).map((r) => complete(r, 'b', 'root', [])),
    );
    expect(second.every((a) => a.length === 1 && a[0] === 'root')).toBe(true);
  });

  it('an empty header is released at once (by a submit, or by the sender and its redelivery)', async () => {
    const r = runId();
    expect(await barriers.register(r, [barrier('root', null, [barrier('E', 'root', [])])])).toEqual(['E']);
    expect(await complete(r, 'E', 'root', [task('body', 'root')])).toEqual([]);
    expect(await complete(r, 'body', 'root', [])).toEqual(['root']);
    const r2 = runId();
    await barriers.register(r2, [barrier('root', null, [task('s', 'root')])]);
    const sent = [barrier('E', 'root', [])];
    expect(await complete(r2, 's', 'root', sent)).toEqual(['E']);
    expect(await complete(r2, 's', 'root', sent)).toEqual(['E']);
  });

  it('a 20,000-member root registered in chunks is released once, by its last member', async () => {
    const r = runId();
    const n = 20_000;
    const members = Array.from({ length: n }, (_, i) => task(`m${i}`, 'root'));
    expect(await barriers.register(r, [barrier('root', null, members)])).toEqual([]);
    expect(await redis.hget(barrierHashKey(prefix, r), 'root|p')).toBe(String(n));
    // Completed out of order, many in the same turn (one pipeline); only the last releases.
    const order = members.map((m) => m.message.key).sort(() => Math.random() - 0.5);
    const answers = await Promise.all(order.map((k) => complete(r, k, 'root', [])));
    const releases = answers.map((a, i) => [a, order[i]] as const).filter(([a]) => a.length > 0);
    expect(releases).toEqual([[['root'], order[n - 1]]]);
  }, 60_000);

  it('random interleavings with redeliveries: every barrier released exactly once, after all its members', async () => {
    type Job = { key: string; parent: string; sends: Dispatch[] };
    type Action = { kind: 'run' | 'script'; job: Job };
    for (let round = 0; round < 40; round++) {
      const r = runId();
      // root ⊃ {chord C1 (3 members, each a 2-step chain), chord C2 (empty or 2 members), task t};
      // each chord's release sends its body under the root.
      const c2 = round % 3 === 0 ? [] : ['c2a', 'c2b'];
      const start = [
        barrier('root', null, [
          barrier('C1', 'root', [task('a0', 'C1'), task('b0', 'C1'), task('c0', 'C1')]),
          barrier(
            'C2',
            'root',
            c2.map((k) => task(k, 'C2')),
          ),
          task('t', 'root'),
        ]),
      ];
      const jobs = new Map<string, Job>();
      for (const x of ['a', 'b', 'c']) {
        jobs.set(`${x}0`, { key: `${x}0`, parent: 'C1', sends: [task(`${x}1`, 'C1')] });
        jobs.set(`${x}1`, { key: `${x}1`, parent: 'C1', sends: [] });
      }
      for (const k of [...c2, 't', 'body1', 'body2'])
        jobs.set(k, { key: k, parent: k.startsWith('c2') ? 'C2' : 'root', sends: [] });
      const members: Record<string, string[]> = {
        root: ['C1', 'C2', 't', 'body1', 'body2'],
        C1: ['a0', 'a1', 'b0', 'b1', 'c0', 'c1'],
        C2: c2,
      };
      const bodies: Record<string, string> = { C1: 'body1', C2: 'body2' };
      const done = new Set<string>();
      const released: string[] = [];
      const actions: Action[] = [];
      const run = (key: string) => {
        const job = jobs.get(key);
        if (job) actions.push({ kind: 'run', job });
      };
      const handle = (list: string[]) => {
        for (const b of list) {
          if (released.includes(b)) continue;
          const open = (members[b] ?? []).filter((m) => !done.has(m));
          expect(open, `${b} released with members still pending`).toEqual([]);
          released.push(b);
          const body = bodies[b];
          if (body) {
            // The release adds the body's job, then runs the barrier's completion script.
            run(body);
            actions.push({ kind: 'script', job: { key: b, parent: 'root', sends: [task(body, 'root')] } });
          }
        }
      };
      handle(await barriers.register(r, start));
      for (const k of ['a0', 'b0', 'c0', 't', ...c2]) run(k);
      for (let guard = 0; actions.length > 0 && guard < 1000; guard++) {
        const action = actions.splice(Math.floor(Math.random() * actions.length), 1)[0] as Action;
        const { job } = action;
        if (action.kind === 'run') {
          // Ran the task and added its continuations' jobs (which may finish before this script runs).
          for (const s of job.sends) run(s.message.key);
          actions.push({ kind: 'script', job });
          continue;
        }
        const answer = await complete(r, job.key, job.parent, job.sends);
        // Killed before BullMQ completed the job: redelivered, the same script gives the same answer.
        if (Math.random() < 0.3) expect(await complete(r, job.key, job.parent, job.sends)).toEqual(answer);
        done.add(job.key);
        handle(answer);
      }
      expect(released.sort()).toEqual(['C1', 'C2', 'root']);
    }
  });
});
