/**
 * Standard jobs added by bulkAdd.ts's one script call are the jobs BullMQ's `addBulk` makes (the same
 * hash, the same wait list and events, the same answer for an id that exists), in a running queue and
 * in a paused one, and a BullMQ worker takes them with their data and options.
 */
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { BulkAdder, standardOptions } from './bulkAdd';

const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
const prefix = `{bulk${process.pid}}`;
const adder = new BulkAdder(connection);
const queues: Queue[] = [];
afterAll(async () => {
  await Promise.all(queues.map((q) => q.close()));
  connection.disconnect();
});

function queue(name: string): Queue {
  const q = new Queue(name, { connection, prefix });
  queues.push(q);
  return q;
}

const opts = (jobId: string) => ({ jobId, attempts: 1_000_000, backoff: { type: 'celery' } });

/** A job's hash with its times left out (they differ by when it was added). */
async function stored(q: Queue, id: string): Promise<Record<string, unknown>> {
  const { timestamp, ...rest } = await connection.hgetall(`${prefix}:${q.name}:${id}`);
  expect(Number(timestamp)).toBeGreaterThan(0);
  return { ...rest, opts: JSON.parse(rest.opts ?? 'null') };
}

async function events(q: Queue): Promise<string[]> {
  const entries = await connection.xrange(`${prefix}:${q.name}:events`, '-', '+');
  return entries.map(([, fields]) => `${fields[1]} ${fields[3]}`);
}

describe('bulk job adds', () => {
  it('makes the jobs addBulk makes, in a running and in a paused queue', async () => {
    for (const paused of [false, true]) {
      const ours = queue(`ours${paused ? 'p' : ''}`);
      const theirs = queue(`theirs${paused ? 'p' : ''}`);
      if (paused) await Promise.all([ours.pause(), theirs.pause()]);
      const jobs = ['r.t.a', 'r.t.b'].map((id, i) => ({
        name: 'identity',
        data: { r: 'r', t: i, a: [i] },
        opts: opts(id),
      }));
      expect(adder.takes(jobs)).toBe(true);
      // It answers with the jobs waiting in the queue's wait list right after (a paused queue's too).
      expect(await adder.add(ours, jobs)).toBe(2);
      await theirs.addBulk(jobs);
      for (const id of ['r.t.a', 'r.t.b']) expect(await stored(ours, id)).toEqual(await stored(theirs, id));
      const lists = async (q: Queue) => ({
        wait: await connection.lrange(`${prefix}:${q.name}:wait`, 0, -1),
        paused: await connection.lrange(`${prefix}:${q.name}:paused`, 0, -1),
        marker: await connection.zrange(`${prefix}:${q.name}:marker`, 0, -1),
      });
      const mine = await lists(ours);
      expect([...mine.wait, ...mine.paused].sort()).toEqual(['r.t.a', 'r.t.b']);
      expect(mine).toEqual(await lists(theirs));
      expect(await events(ours)).toEqual(await events(theirs));
      // An id that exists is answered as BullMQ answers it: the job stays as it was.
      await adder.add(ours, [{ name: 'other', data: {}, opts: opts('r.t.a') }]);
      expect((await stored(ours, 'r.t.a')).name).toBe('identity');
    }
  });

  it('leaves jobs with other options to BullMQ, and a worker takes the jobs it adds', async () => {
    expect(adder.takes([{ name: 'x', data: {}, opts: { ...opts('d'), delay: 5 } }])).toBe(false);
    expect(adder.takes([{ name: 'x', data: {}, opts: { ...opts('p'), priority: 2 } }])).toBe(false);
    expect(adder.takes([{ name: 'x', data: {}, opts: { attempts: 3 } }])).toBe(false);
    expect(adder.takes([{ name: 'x', data: {}, opts: opts('12345') }])).toBe(false);
    expect(adder.takes([{ name: 'x', data: {}, opts: opts('a:b') }])).toBe(false);
    expect(adder.takes([{ name: 'x', data: {}, opts: { jobId: 'n', backoff: 1000 } }])).toBe(false);
    expect(standardOptions(opts('k'))).toBe('{"attempts":1000000,"jobId":"k","backoff":{"type":"celery"}}');
    const q = queue('work');
    await adder.add(q, [{ name: 'identity', data: { r: 'w', t: 0, a: [7] }, opts: opts('w.t.x') }]);
    const seen = await new Promise<Job>((resolve) => {
      const w = new Worker('work', async (job) => resolve(job), {
        connection: connection.duplicate(),
        prefix,
      });
      w.on('completed', () => void w.close());
    });
    expect(seen.id).toBe('w.t.x');
    expect(seen.data).toEqual({ r: 'w', t: 0, a: [7] });
    expect(seen.opts).toMatchObject({ attempts: 1_000_000, backoff: { type: 'celery' } });
  });
});
