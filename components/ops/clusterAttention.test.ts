import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@/lib/protocol/events';
import { clusterAttention, waitingQueues } from './clusterAttention';

const worker = (queues: string[]) => ({ name: 'w1', queues });
const queued = (task_id: string, queue?: string): RunEvent =>
  ({
    type: 'task.queued',
    run_id: 'r',
    seq: 1,
    at: 0,
    task_id,
    name: 'add',
    attempt: 1,
    ...(queue ? { queue } : {}),
  }) as RunEvent;
const started = (task_id: string): RunEvent =>
  ({ type: 'task.started', run_id: 'r', seq: 2, at: 1, task_id, attempt: 1, worker: 'w1' }) as RunEvent;

describe('clusterAttention', () => {
  it('is quiet when everything answers', () => {
    const health = { redis: 'ok', workers: { count: 1, list: [worker(['default'])] } };
    expect(clusterAttention({ socket: 'live', health, events: [queued('a')] })).toEqual([]);
  });

  it('says the socket is lost, and Redis is away with the server sentence', () => {
    const notes = clusterAttention({
      socket: 'offline',
      health: {
        redis: 'down',
        message: 'Redis at redis://x:1 is not answering; runs resume when it is back.',
      },
    });
    expect(notes.map((n) => n.kind)).toEqual(['socket', 'redis']);
    expect(notes[1]?.text).toBe('Redis at redis://x:1 is not answering; runs resume when it is back.');
  });

  it('names the queue a waiting task needs when no live worker consumes it', () => {
    const health = { redis: 'ok', workers: { count: 1, list: [worker(['default'])] } };
    const events = [queued('a', 'gpu'), queued('b'), started('b')];
    expect(waitingQueues(events)).toEqual(new Set(['gpu']));
    expect(clusterAttention({ health, events }).map((n) => n.text)).toEqual([
      'Waiting for a worker on queue "gpu".',
    ]);
  });

  it('reports no workers, a server that does not answer, and a run without progress', () => {
    expect(clusterAttention({ health: { redis: 'ok', workers: { count: 0 } } })[0]?.kind).toBe('workers');
    expect(clusterAttention({ health: null, healthError: 'fetch failed' })[0]?.kind).toBe('server');
    const health = {
      redis: 'ok',
      workers: { count: 1, list: [worker(['default'])] },
      stuck_runs: [{ id: 'r', idle_ms: 700_000 }],
    };
    expect(clusterAttention({ health, runId: 'r', events: [] })[0]?.text).toMatch(/No progress for 700 s/);
  });
});
