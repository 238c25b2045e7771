/**
 * Nothing stuck silently: a task that never returns is ended by its time limit, a result that cannot be
 * stored fails its task once with a sentence (no retry loop), a run with no progress is reported by the
 * watchdog — on a real cluster (private Redis, in-process worker, the fixture tasks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../tests/support/testRedisUrl';
import { type Stack, startStack } from '../cluster/stack';
import { loadConfig } from '../config';
import { runReport } from '../runs/report';

let stack: Stack;

beforeAll(async () => {
  const config = {
    ...loadConfig({ REDIS_URL: testRedisUrl() } as unknown as NodeJS.ProcessEnv),
    keyPrefix: `{stuck${process.pid}}`,
    tasksDir: './tests/fixtures/ops-tasks',
    lockDurationMs: 2000,
    stalledIntervalMs: 1000,
    stuckAfterMs: 500,
    watchdogIntervalMs: 100_000,
  };
  stack = await startStack({ config, startLocalRedis: false, startModelService: false, workers: 1 });
});

afterAll(() => stack.close(0));

async function run(canvas: unknown) {
  const client = stack.client!;
  const rec = await client.submit({ file: client.parseCanvas(canvas) });
  await client.waitFinished(rec.id, 30_000);
  return { id: rec.id, report: runReport(rec.id, await client.store.readEvents(rec.id)) };
}

describe('nothing stuck silently', () => {
  it('a task that never returns fails with TimeLimitExceeded at its hard limit', async () => {
    const { report } = await run({ task: 'hang', options: { time_limit: 1 } });
    expect(report.status).toBe('failure');
    const failed = report.tasks.find((t) => t.name === 'hang');
    expect(failed?.state).toBe('FAILURE');
    expect(failed?.error?.type).toBe('TimeLimitExceeded');
  });

  it('a synchronous endless loop is stopped by its time limit (own thread), and the worker goes on', async () => {
    const { report } = await run({ task: 'spin', options: { time_limit: 1, max_retries: 0 } });
    expect(report.status).toBe('failure');
    expect(report.tasks.find((t) => t.name === 'spin')?.error?.type).toBe('TimeLimitExceeded');
    const after = await run({ task: 'add', args: [2, 3] });
    expect(after.report.result).toBe(5);
  });

  it('a task with a time limit returning an unstorable result on its thread fails with EncodeError', async () => {
    const { report } = await run({ task: 'unstorable', args: ['bigint'], options: { time_limit: 30 } });
    const t = report.tasks.find((x) => x.name === 'unstorable');
    expect(t?.error?.type).toBe('EncodeError');
    expect(t?.error?.message).toMatch(/BigInt/);
  });

  it.each(['bigint', 'cycle'])('a %s result fails the task once with EncodeError', async (kind) => {
    // As in Celery, the result is encoded after the task's autoretry wrapper: even a task retried for
    // every Exception is not retried for a result that can never be stored.
    const options = { autoretry_for: ['Exception'], max_retries: 3, countdown: 0 };
    const { id, report } = await run({ task: 'unstorable', args: [kind], options });
    expect(report.status).toBe('failure');
    const t = report.tasks.find((x) => x.name === 'unstorable');
    expect(t?.error?.type).toBe('EncodeError');
    expect(t?.error?.message).toMatch(kind === 'bigint' ? /BigInt/ : /cycle/);
    const started = (await stack.client!.store.readEvents(id)).filter((e) => e.type === 'task.started');
    expect(started).toHaveLength(1);
  });

  it('warns at submit when no live worker consumes a queue, and shows what the run waits for', async () => {
    const { startApiServer } = await import('../http/apiServer');
    const api = await startApiServer(stack.api);
    try {
      const post = async (canvas: unknown) => {
        const r = await fetch(`${api.url}/api/workflows`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ canvas }),
        });
        return (await r.json()) as { id: string; warnings?: string[] };
      };
      const fine = await post({ task: 'add', args: [1, 2] });
      expect(fine.warnings).toBeUndefined();
      const lonely = await post({ task: 'add', args: [1, 2], options: { queue: 'nobody' } });
      expect(lonely.warnings).toEqual([
        'No live worker consumes queue "nobody" (add): those tasks wait until one starts (chordflow worker --queues nobody).',
      ]);
      const view = (await (await fetch(`${api.url}/api/workflows/${lonely.id}`)).json()) as Record<
        string,
        unknown
      >;
      expect(view.waiting_for).toEqual([{ queue: 'nobody', tasks: ['add'] }]);
      await stack.client!.cancel(lonely.id);
    } finally {
      await api.close();
    }
  });

  it('refuses absurd delays and limits at submit with the path and a sentence, writing nothing', async () => {
    const { startApiServer } = await import('../http/apiServer');
    const api = await startApiServer(stack.api);
    try {
      const before = (await stack.client!.store.listRuns()).total;
      const post = async (canvas: unknown) => {
        const r = await fetch(`${api.url}/api/workflows`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ canvas }),
        });
        return { status: r.status, body: (await r.json()) as { error: string; errors?: string[] } };
      };
      const delay = await post({ task: 'add', args: [1, 2], options: { default_retry_delay: 1e300 } });
      expect(delay.status).toBe(400);
      expect(delay.body.errors).toEqual([
        'canvas.options.default_retry_delay: "default_retry_delay" must be a number of seconds between 0 and 31536000 (one year), not 1e+300.',
      ]);
      const countdown = await post({ task: 'add', args: [1, 2], options: { apply_countdown: 1e12 } });
      expect(countdown.status).toBe(400);
      expect(countdown.body.error).toContain('"apply_countdown" must be a number of seconds between 0 and');
      expect((await stack.client!.store.listRuns()).total).toBe(before);
    } finally {
      await api.close();
    }
  });

  it('the watchdog reports a run without progress, and /api/health lists it', async () => {
    const client = stack.client!;
    const rec = await client.submit({ file: client.parseCanvas({ task: 'hang' }) });
    for (let i = 0; i < 100; i++) {
      const o = await stack.ops!.scan(Date.now());
      if (o.stuck.some((s) => s.id === rec.id)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stack.ops!.runs().stuck.map((s) => s.id)).toContain(rec.id);
    const { healthReport } = await import('../http/api/health');
    const h = await healthReport({ client, redis: stack.redis!, ops: stack.ops!, bodyLimitBytes: 1 });
    expect((h.stuck_runs as Array<{ id: string }>).map((s) => s.id)).toContain(rec.id);
    expect(h.warnings).toEqual(expect.arrayContaining([expect.stringContaining(`Run ${rec.id}`)]));
    await client.cancel(rec.id);
    await stack.ops!.scan(Date.now());
    expect(stack.ops!.runs().stuck.map((s) => s.id)).not.toContain(rec.id);
  });
});
