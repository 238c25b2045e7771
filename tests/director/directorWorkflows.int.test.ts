/**
 * Every workflow of celery-director's repository (35, our rewrite in tests/fixtures/director) validates
 * with the team's tasks directory and runs on real workers with hooks, queues and schedules: each YAML
 * file is imported as definitions (`POST /api/definitions {yaml}`) and every workflow of it is run
 * through director's API and checked the way director would show it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/main';
import { startTestCluster, type TestCluster } from '../support/cluster';

const FIXTURES = 'tests/fixtures/director';
const FILES = readdirSync(`${FIXTURES}/workflows`)
  .filter((f) => f.endsWith('.yml'))
  .sort();
const SCHEMAS = {
  'example/simple_schema': JSON.parse(
    readFileSync(`${FIXTURES}/workflows/schemas/example/simple_schema.json`, 'utf8'),
  ),
  order: JSON.parse(readFileSync(`${FIXTURES}/workflows/schemas/order.json`, 'utf8')),
};
const PAYLOADS: Record<string, unknown> = { 'schemas.SIMPLE_SCHEMA': { name: 'foo', price: 100 } };
const FAILING = new Set([
  'example.ERROR',
  'example.SIMPLE_CHAIN_ERROR',
  'example.SIMPLE_GROUP_ERROR',
  'example.CELERY_ERROR_ONE_TASK',
  'example.CELERY_ERROR_MULTIPLE_TASKS',
  'example.RETURN_EXCEPTION',
  'example.FAILURE_HOOK',
  'demo.SENTRY_ALERT',
]);

type J = Record<string, unknown>;
interface Task {
  id: string;
  key: string;
  status: string;
  result: unknown;
  is_hook: boolean;
  previous: string[];
}

let cluster: TestCluster;
let base: string;
beforeAll(async () => {
  cluster = await startTestCluster({
    workers: 1,
    concurrency: 8,
    api: true,
    tasksDir: `${FIXTURES}/tasks`,
    queues: ['default', 'q1', 'q2'],
  });
  base = cluster.api!.url;
});
afterAll(() => cluster.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as J & J[] };
}

async function waitFor(
  id: string,
  done: (wf: J) => boolean,
  timeoutMs = 30_000,
): Promise<J & { tasks: Task[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const wf = (await call('GET', `/api/workflows/${id}`)).json;
    if (done(wf) || Date.now() > deadline) return wf as unknown as J & { tasks: Task[] };
    await new Promise((r) => setTimeout(r, 100));
  }
}
const finished = (wf: J) => ['success', 'error', 'canceled'].includes(wf.status as string);

describe("director's 35 workflows", () => {
  it('all validate with the tasks directory (and not without it)', async () => {
    let total = 0;
    for (const file of FILES) {
      const out: string[] = [];
      const io = {
        out: (s: string) => void out.push(s),
        err: (s: string) => void out.push(s),
        readFile: async (p: string) => readFileSync(p, 'utf8'),
      };
      const path = `${FIXTURES}/workflows/${file}`;
      expect(await main(['validate', path, '--tasks', `${FIXTURES}/tasks`], io), out.join('')).toBe(0);
      total += Number(/\((?:director-yaml), (\d+) workflow/.exec(out.join(''))?.[1] ?? 0);
      expect(await main(['validate', path, '--tasks', `${FIXTURES}/no-such-dir`], io)).toBe(1);
      expect(out.join('')).toMatch(/Unknown task/);
    }
    expect(total).toBe(35);
  });

  for (const file of FILES) {
    it(`imports and runs every workflow of ${file}`, async () => {
      const imported = await call('POST', '/api/definitions', {
        yaml: readFileSync(`${FIXTURES}/workflows/${file}`, 'utf8'),
        schemas: SCHEMAS,
      });
      expect(imported.status, JSON.stringify(imported.json)).toBe(201);
      for (const def of imported.json as J[]) {
        const fullname = def.fullname as string;
        const [project, name] = [def.project, def.name];
        const payload = PAYLOADS[fullname] ?? { user: 1234, product: 1000 };
        const created = await call('POST', '/api/workflows', { project, name, payload });
        expect(created.status, `${fullname}: ${JSON.stringify(created.json)}`).toBe(201);
        const id = created.json.id as string;
        if (fullname === 'example.DELAY_TASK') {
          await waitFor(id, (wf) => (wf.tasks as Task[]).some((t) => t.status === 'progress'));
          expect((await call('POST', `/api/workflows/${id}/cancel`, {})).json.status).toBe('canceled');
          const wf = await waitFor(id, finished);
          expect(wf.tasks.map((t) => t.status)).toEqual(['canceled']);
          continue;
        }
        const wf = await waitFor(id, finished);
        const expected = FAILING.has(fullname) ? 'error' : 'success';
        expect(wf.status, `${fullname}: ${JSON.stringify(wf.tasks)}`).toBe(expected);
        const hooks = wf.tasks.filter((t) => t.is_hook);
        const hooked = def.hooks as { success?: string; failure?: string } | undefined;
        const fired = expected === 'success' ? hooked?.success : hooked?.failure;
        expect(
          hooks.filter((h) => h.status !== 'pending').map((h) => h.key),
          fullname,
        ).toEqual(fired ? [fired] : []);
        for (const h of hooks.filter((x) => x.status !== 'pending')) expect(h.status).toBe('success');
        if (expected === 'success')
          expect(
            wf.tasks.filter((t) => !t.is_hook).every((t) => t.status === 'success'),
            fullname,
          ).toBe(true);
        checkResults(fullname, wf.tasks);
      }
    });
  }

  it('runs periodic workflows on their schedule (periodic: true), and stops when the schedule goes', async () => {
    const yaml = (periodic: string) =>
      `tick.EVERY_SECOND:\n  tasks: [UPDATE_CACHE]\n${periodic}retention:\n    offset: 3\n`.replace(
        'retention',
        '  retention',
      );
    const withSchedule = yaml('  periodic:\n    interval: 0.5\n    payload: {"user": "john.doe"}\n');
    expect((await call('POST', '/api/definitions', { yaml: withSchedule })).status).toBe(201);
    const periodicRuns = async () =>
      ((await call('GET', '/api/workflows?name=tick.EVERY_SECOND')).json as J[]).filter(
        (w) => w.periodic === true,
      );
    const deadline = Date.now() + 20_000;
    while ((await periodicRuns()).filter((w) => w.status === 'success').length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const runs = await periodicRuns();
    // Retention {offset: 3}: only the newest runs are kept (an unfinished one may be on top).
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.length).toBeLessThanOrEqual(4);
    const one = await waitFor(runs.at(-1)!.id as string, finished);
    expect(one).toMatchObject({ periodic: true, status: 'success', payload: { user: 'john.doe' } });
    expect(one.tasks[0]!.result).toBe('updated john.doe');
    // The definition shows director's periodic setting; removing it stops the schedule.
    const defs = (await call('GET', '/api/definitions')).json as J[];
    expect(defs.find((d) => d.fullname === 'tick.EVERY_SECOND')?.periodic).toEqual({
      interval: 0.5,
      payload: { user: 'john.doe' },
    });
    expect((await call('POST', '/api/definitions', { yaml: yaml('') })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1200));
    const settled = (await call('GET', '/api/workflows?name=tick.EVERY_SECOND')).json as J[];
    await new Promise((r) => setTimeout(r, 1500));
    const later = (await call('GET', '/api/workflows?name=tick.EVERY_SECOND')).json as J[];
    expect(later[0]!.id).toBe(settled[0]!.id);
  });

  it('routes tasks to their queues: with no worker on q2, TASK_B waits while the rest ran', async () => {
    const other = await startTestCluster({
      workers: 1,
      api: true,
      tasksDir: `${FIXTURES}/tasks`,
      queues: ['default', 'q1'],
    });
    try {
      const url = other.api!.url;
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<J>);
      await post('/api/definitions', {
        yaml: readFileSync(`${FIXTURES}/workflows/tests.yml`, 'utf8'),
        schemas: SCHEMAS,
      });
      const { id } = await post('/api/workflows', { project: 'example', name: 'TASK_ROUTING', payload: {} });
      const get = async () =>
        (await (await fetch(`${url}/api/workflows/${id}`)).json()) as J & { tasks: Task[] };
      const deadline = Date.now() + 20_000;
      let wf = await get();
      while (!wf.tasks.some((t) => t.key === 'TASK_C' && t.status === 'success') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        wf = await get();
      }
      const by = Object.fromEntries(wf.tasks.map((t) => [t.key, t.status]));
      expect(by).toEqual({ TASK_A: 'success', TASK_B: 'pending', TASK_C: 'success' });
      expect(wf.status).toBe('progress');
    } finally {
      await other.close();
    }
  });
});

/** The values director's docs promise (write-tasks.md: what task C receives). */
function checkResults(fullname: string, tasks: Task[]): void {
  const result = (key: string) => tasks.find((t) => t.key === key && !t.is_hook)?.result;
  if (fullname === 'example.NO_PARENT') expect(result('C')).toEqual([null]);
  if (fullname === 'example.ONE_PARENT') expect(result('C')).toEqual([{ result: 'b_data' }]);
  if (fullname === 'example.MULTIPLE_PARENT')
    expect(result('C')).toEqual([[{ result: 'a_data' }, { result: 'b_data' }]]);
  if (fullname === 'example.RETURN_VALUES') {
    expect(tasks.map((t) => t.result)).toEqual([
      'return_value',
      1234,
      ['jack', 'sape', 'guido'],
      null,
      { foo: 'bar' },
      {
        jack: 4098,
        sape: 4139,
        guido: 4127,
        nested: { foo: 'bar' },
        none: null,
        list: ['jack', 'sape', 'guido'],
      },
    ]);
  }
  if (fullname.startsWith('product.ORDER'))
    expect(result('SEND_MAIL')).toMatch(/^Your order #order-.+ \(user 1234\)$/);
  if (fullname === 'example.ERROR')
    expect(result('TASK_ERROR')).toMatchObject({ exception: 'division by zero' });
}
