/**
 * The REST API end to end: the five tutorial scenarios through `POST /api/workflows` against the real
 * mock model service and real workers, the director shapes, relaunch, cancel, definitions, paging, and
 * clear 4xx answers for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../../tests/support/cluster';

let cluster: TestCluster;
let base: string;
beforeAll(async () => {
  cluster = await startTestCluster({
    workers: 1,
    concurrency: 8,
    modelService: true,
    api: true,
  });
  base = cluster.api!.url;
});
afterAll(() => cluster.close());

interface Task {
  id: string;
  path: string;
  key: string;
  status: string;
  state: string;
  attempts: number;
  previous: string[];
  result: unknown;
}
interface Workflow {
  id: string;
  status: string;
  fullname: string;
  payload?: unknown;
  tasks?: Task[];
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function waitDone(id: string, timeoutMs = 60_000): Promise<Workflow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { json } = await call('GET', `/api/workflows/${id}`);
    const wf = json as unknown as Workflow;
    if (['success', 'error', 'canceled'].includes(wf.status) || Date.now() > deadline) return wf;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function byKey(wf: Workflow): Record<string, Task> {
  return Object.fromEntries((wf.tasks ?? []).map((t) => [t.key, t]));
}

describe('REST API (celery-director compatible)', () => {
  it('answers ping and health', async () => {
    expect((await call('GET', '/api/ping')).json).toEqual({ message: 'pong' });
    const h = await call('GET', '/api/health');
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ status: 'ok', redis: 'ok', model_service: 'ok' });
    expect((h.json.workers as { count: number }).count).toBe(1);
  });

  it('runs the five tutorial scenarios with the seed outcome table', async () => {
    const scenarios = ['happy', 'flaky', 'slow', 'down', 'partial_fail'] as const;
    const created = await Promise.all(
      scenarios.map((scenario) =>
        call('POST', '/api/workflows', {
          project: 'demo',
          name: 'PIPELINE',
          payload: { raw: 'hello world', scenario },
        }),
      ),
    );
    for (const c of created) {
      expect(c.status).toBe(201);
      expect(c.json).toMatchObject({ fullname: 'demo.PIPELINE', status: 'pending', periodic: false });
    }
    const done = await Promise.all(created.map((c) => waitDone(c.json.id as string)));
    const [happy, flaky, slow, down, partial] = done.map((wf) => ({ wf, t: byKey(wf) }));

    expect(happy!.wf.status).toBe('success');
    expect(happy!.t.TASK_D!.result).toEqual({
      final: 'merge complete',
      from_b: 'embedding by B: dim=8',
      from_c: 'classified by C: positive (0.92)',
      b_retries: 0,
      c_retries: 0,
    });
    expect(happy!.t.TASK_D!.previous.sort()).toEqual([happy!.t.TASK_B!.id, happy!.t.TASK_C!.id].sort());
    expect(happy!.t.TASK_B!.previous).toEqual([happy!.t.TASK_A!.id]);

    expect(flaky!.wf.status).toBe('success');
    expect(flaky!.t.TASK_A!.attempts).toBe(3);
    expect(flaky!.t.TASK_A!.result).toMatchObject({ processed: 'HELLO WORLD', retries_used: 2 });
    // The seed's backoff (factor 2, no jitter): retries wait 2 s then 4 s, as BullMQ delayed jobs.
    const flakyReport = (await call('GET', `/api/workflows/${flaky!.wf.id}/report`)).json as {
      tasks: Array<{
        name: string;
        history: Array<{ countdown_ms?: number; started_at: number; finished_at: number }>;
      }>;
    };
    const aHistory = flakyReport.tasks.find((x) => x.name === 'TASK_A')!.history;
    expect(aHistory.map((h) => h.countdown_ms)).toEqual([2000, 4000, undefined]);
    expect(aHistory[1]!.started_at - aHistory[0]!.finished_at).toBeGreaterThanOrEqual(1950);
    expect(aHistory[2]!.started_at - aHistory[1]!.finished_at).toBeGreaterThanOrEqual(3950);

    expect(slow!.wf.status).toBe('error');
    expect(slow!.t.TASK_A!).toMatchObject({ status: 'error', attempts: 4 });
    expect((slow!.t.TASK_A!.result as { exception: string }).exception).toMatch(
      /Read timed out\. \(read timeout=5\)/,
    );
    for (const k of ['TASK_B', 'TASK_C', 'TASK_D'])
      expect(slow!.t[k]!).toMatchObject({ status: 'pending', attempts: 0 });

    expect(down!.wf.status).toBe('error');
    expect(down!.t.TASK_A!).toMatchObject({ status: 'error', attempts: 4 });
    expect((down!.t.TASK_A!.result as { exception: string }).exception).toMatch(
      /^500 Server Error: INTERNAL SERVER ERROR for url: /,
    );

    expect(partial!.wf.status).toBe('error');
    expect(partial!.t.TASK_A!).toMatchObject({ status: 'success', attempts: 1 });
    expect(partial!.t.TASK_B!).toMatchObject({ status: 'error', attempts: 4 });
    expect(partial!.t.TASK_C!).toMatchObject({ status: 'success', attempts: 1 });
    // D never ran: director keeps it pending; the Celery state says FAILURE (ChordError), as Celery stores it.
    expect(partial!.t.TASK_D!).toMatchObject({ status: 'pending', state: 'FAILURE', attempts: 0 });

    // The real model service saw the seed's call counts per task instance.
    const stats = (await (await fetch(`${cluster.stack.modelServiceUrl}/v1/stats`)).json()) as Record<
      string,
      number
    >;
    const count = (wf: Workflow, letter: string, key: string) =>
      stats[`task_${letter}_${wf.id}-${byKey(wf)[key]!.path}`];
    expect(count(happy!.wf, 'a', 'TASK_A')).toBe(1);
    expect(count(flaky!.wf, 'a', 'TASK_A')).toBe(3);
    expect(count(slow!.wf, 'a', 'TASK_A')).toBe(4);
    expect(count(down!.wf, 'a', 'TASK_A')).toBe(4);
    expect(count(partial!.wf, 'b', 'TASK_B')).toBe(4);
    expect(count(partial!.wf, 'c', 'TASK_C')).toBe(1);

    // Relaunch: a new workflow with fresh ids, so flaky fails twice again.
    const again = await call('POST', `/api/workflows/${flaky!.wf.id}/relaunch`);
    expect(again.status).toBe(201);
    expect(again.json.id).not.toBe(flaky!.wf.id);
    const relaunched = await waitDone(again.json.id as string);
    expect(relaunched.status).toBe('success');
    expect(byKey(relaunched).TASK_A!.attempts).toBe(3);
  }, 90_000);

  it('runs an ad-hoc canvas and serves its run report', async () => {
    const c = await call('POST', '/api/workflows', {
      canvas: {
        chain: [
          { task: 'add', args: [1, 2] },
          { task: 'mul', args: [3] },
        ],
      },
    });
    expect(c.status).toBe(201);
    const wf = await waitDone(c.json.id as string);
    expect(wf.status).toBe('success');
    expect(wf.tasks?.map((t) => t.state)).toEqual(['SUCCESS', 'SUCCESS']);
    const report = await call('GET', `/api/workflows/${wf.id}/report`);
    expect(report.json).toMatchObject({ run_id: wf.id, status: 'success', result: 9 });
  });

  it('cancels a running workflow: running task aborted, the rest canceled', async () => {
    const c = await call('POST', '/api/workflows', {
      canvas: { chain: [{ task: 'delayed', args: [1], kwargs: { ms: 20_000 } }, { task: 'identity' }] },
    });
    await new Promise((r) => setTimeout(r, 300));
    const canceled = await call('POST', `/api/workflows/${c.json.id}/cancel`);
    expect(canceled.status).toBe(201);
    expect(canceled.json.status).toBe('canceled');
    const wf = await waitDone(c.json.id as string, 5000);
    expect(wf.status).toBe('canceled');
    expect(wf.tasks?.map((t) => t.status)).toEqual(['canceled', 'canceled']);
  });

  it('lists workflows newest first with paging and filters', async () => {
    const list = await call('GET', '/api/workflows?per_page=2&page=1');
    const rows = list.json as unknown as Workflow[];
    expect(rows).toHaveLength(2);
    const canceled = (await call('GET', '/api/workflows?status=canceled')).json as unknown as Workflow[];
    expect(canceled.length).toBeGreaterThanOrEqual(1);
    expect(canceled.every((w) => w.status === 'canceled')).toBe(true);
    const named = (await call('GET', '/api/workflows?name=demo.PIPELINE&with_payload=false'))
      .json as unknown as Workflow[];
    expect(named.length).toBe(6);
    expect(named[0]).not.toHaveProperty('payload');
    // Director (Flask-SQLAlchemy paginate): no page size below 1, no page past the end.
    expect((await call('GET', '/api/workflows?per_page=0')).status).toBe(404);
    expect((await call('GET', '/api/workflows?per_page=1000&page=2')).status).toBe(404);
  });

  it('saves and runs definitions; unknown ones are 404', async () => {
    const defs = (await call('GET', '/api/definitions')).json as unknown as Array<{ fullname: string }>;
    expect(defs.map((d) => d.fullname)).toContain('demo.PIPELINE');
    const saved = await call('POST', '/api/definitions', {
      project: 'math',
      name: 'SUM',
      canvas: {
        chord: {
          header: [
            { task: 'add', args: [1, 1] },
            { task: 'add', args: [2, 2] },
          ],
          body: { task: 'tsum' },
        },
      },
    });
    expect(saved.status).toBe(201);
    const run = await call('POST', '/api/workflows', { project: 'math', name: 'SUM', payload: {} });
    expect(run.status).toBe(201);
    expect((await waitDone(run.json.id as string)).status).toBe('success');
    const missing = await call('POST', '/api/workflows', { project: 'nope', name: 'X', payload: {} });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toBe('Workflow nope.X not found');
    const bad = await call('POST', '/api/definitions', {
      project: 'math',
      name: 'BAD',
      canvas: { task: 'no_such_task' },
    });
    expect(bad.status).toBe(400);
  });

  it('answers bad input with clear 4xx errors', async () => {
    const cases: Array<[string, string, unknown, number, RegExp]> = [
      ['POST', '/api/workflows', '{not json', 400, /not valid JSON/],
      ['POST', '/api/workflows', '', 400, /empty/],
      ['POST', '/api/workflows', [], 400, /JSON object/],
      ['POST', '/api/workflows', { project: 'demo' }, 400, /^Error validating against schema$/],
      [
        'POST',
        '/api/workflows',
        { project: 'demo', name: 'PIPELINE', payload: 3 },
        400,
        /^Error validating against schema$/,
      ],
      ['POST', '/api/workflows', { canvas: { task: 'nope' } }, 400, /Unknown task "nope"/],
      ['POST', '/api/workflows', { canvas: { chord: { header: [] } } }, 400, /canvas is not valid/],
      ['POST', '/api/workflows', { canvas: 5 }, 400, /canvas is not valid/],
      ['GET', '/api/workflows/does-not-exist', undefined, 404, /not found/],
      ['POST', '/api/workflows/does-not-exist/cancel', undefined, 404, /not found/],
      ['DELETE', '/api/workflows', undefined, 405, /not allowed/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const r = await call(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(String(r.json.error)).toMatch(message);
    }
    const big = await call('POST', '/api/workflows', {
      canvas: { task: 'identity', args: ['x'.repeat(8 * 1024 * 1024 + 1)] },
    });
    expect(big.status).toBe(413);
    expect(String(big.json.error)).toMatch(/CHORDFLOW_BODY_LIMIT/);
  });
});
