/**
 * Issue 15 on BullMQ: Celery's sending options become job options (priority `p + 1`, countdown/eta as
 * the job delay), and on the running cluster a countdown delays the start and an expired message is
 * REVOKED without running. The simulator gives the same states (differential.int.test.ts).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasFileFromJson } from '../../lib/canvas/canvasJson';
import type { Json } from '../../lib/canvas/model';
import { planRun, startRun } from '../../lib/engine';
import type { TaskMessage } from '../../lib/engine/types';
import { startTestCluster, type TestCluster } from '../../tests/support/cluster';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { decodeJobData, type TaskJobData } from './jobData';
import { Dispatcher, taskQueueName } from './queues';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ workers: 1, concurrency: 2 });
});
afterAll(() => cluster.close());

describe('sending options on BullMQ', () => {
  it('priority and countdown become the BullMQ priority and delay of the job', async () => {
    const parsed = canvasFileFromJson({
      group: [
        { task: 'add', args: [1, 1], id: 'p', options: { priority: 3, apply_countdown: 1.5 } },
        { task: 'add', args: [2, 2], id: 'plain' },
        // Past BullMQ's limit (2^21): clamped to Celery's 0..255 instead of failing the dispatch.
        { task: 'add', args: [3, 3], id: 'huge', options: { priority: 5_000_000 } },
      ],
    } as Json);
    if (!parsed.ok) throw new Error('bad canvas');
    const plan = planRun(parsed.value, cluster.stack.registry.catalogue, 'prio');
    const connection = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    // A prefix no worker listens on: the jobs stay as they were added.
    const dispatcher = new Dispatcher(connection, `{prio${process.pid}}`);
    try {
      await dispatcher.dispatch(plan, startRun(plan).dispatch);
      const q = dispatcher.queue(taskQueueName(undefined));
      const keyOf = (id: string) => plan.tasks.find((t) => t.id === id)?.key ?? '';
      const p = await q.getJob(keyOf('p'));
      const plain = await q.getJob(keyOf('plain'));
      expect(p?.opts.priority).toBe(4);
      expect(p?.opts.delay).toBe(1500);
      const message = p ? (decodeJobData(plan, p.id ?? '', p.data as TaskJobData) as TaskMessage) : undefined;
      expect(message?.priority).toBe(3);
      expect(message?.task_id).toBe('p');
      expect(plain?.opts.priority ?? 0).toBe(0);
      expect((await q.getJob(keyOf('huge')))?.opts.priority).toBe(256);
      expect(await p?.getState()).toBe('delayed');
    } finally {
      await dispatcher.close();
      connection.disconnect();
    }
  });

  it('a countdown delays the start on the cluster; an expired message is REVOKED unrun', async () => {
    const r = await cluster.run({
      chord: {
        header: [
          { task: 'identity', args: [1], id: 'later', options: { apply_countdown: 0.3 } },
          { task: 'identity', args: [2], id: 'gone', options: { apply_countdown: 0.3, expires: 0.1 } },
        ],
        body: { task: 'tsum', id: 'sum' },
      },
    });
    const later = r.tasks.find((t) => t.id === 'later');
    const gone = r.tasks.find((t) => t.id === 'gone');
    expect(later?.state).toBe('SUCCESS');
    expect(later?.started_at ?? 0).toBeGreaterThanOrEqual(300);
    expect(gone).toMatchObject({
      state: 'REVOKED',
      attempts: 0,
      error: { type: 'TaskRevokedError', message: 'expired' },
    });
    expect(r.error?.message).toBe("Dependency gone raised TaskRevokedError('expired')");
  });
});
