/**
 * celery-director's own API tests (ovh/celery-director `tests/test_api.py`, 0.9.0), rewritten against
 * Chordflow with the same expectations: director's test workflows (`tests/fixtures/director/workflows/
 * tests.yml`) imported as definitions, equivalent JavaScript tasks, `DIRECTOR_WORKFLOWS_PER_PAGE=15` as in
 * director's test `.env`, and — like director's `no_worker` fixture — no worker running, so runs stay
 * `pending`. Director's client strips `id`, `created` and `updated` before comparing; so do we, and we
 * compare director's keys (Chordflow adds its own, e.g. a task's `state`, `attempts`, `path`).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/cluster';

const FIXTURES = 'tests/fixtures/director';
let cluster: TestCluster;
let base: string;

beforeAll(async () => {
  cluster = await startTestCluster({
    workers: 0,
    api: true,
    tasksDir: `${FIXTURES}/tasks`,
    env: { CHORDFLOW_WORKFLOWS_PER_PAGE: '15' },
  });
  base = cluster.api!.url;
  const imported = await call('POST', '/api/definitions', {
    yaml: readFileSync(`${FIXTURES}/workflows/tests.yml`, 'utf8'),
    schemas: {
      'example/simple_schema': JSON.parse(
        readFileSync(`${FIXTURES}/workflows/schemas/example/simple_schema.json`, 'utf8'),
      ),
    },
  });
  expect(imported.status).toBe(201);
});
afterAll(() => cluster.close());

/** Director's test app empties its database before every test. */
beforeEach(async () => {
  const store = cluster.stack.client!.store;
  for (const id of await store.redis.zrange(store.keys.runs, 0, -1)) await store.deleteRun(id);
});

type J = Record<string, unknown>;
const KEYS_TO_REMOVE = ['id', 'created', 'updated'];

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as J)
      .filter(([k]) => !KEYS_TO_REMOVE.includes(k))
      .map(([k, v]) => [k, strip(v)]),
  );
}

const WORKFLOW_KEYS = ['fullname', 'name', 'payload', 'comment', 'periodic', 'project', 'status', 'tasks'];
const TASK_KEYS = ['key', 'previous', 'result', 'status', 'is_hook', 'task'];
function pick(o: unknown, keys: string[]): J {
  return Object.fromEntries(Object.entries(o as J).filter(([k]) => keys.includes(k)));
}
/** Director's view of a workflow object (its keys only). */
function wf(o: unknown): J {
  const out = pick(o, WORKFLOW_KEYS);
  if (Array.isArray(out.tasks)) out.tasks = out.tasks.map((t) => pick(t, TASK_KEYS));
  return out;
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const raw = text ? (JSON.parse(text) as unknown) : {};
  return { status: res.status, raw, json: strip(raw) as J & J[] };
}

const DEFAULT_PAYLOAD = { project: 'example', name: 'WORKFLOW', payload: {} };
const EXAMPLE = { fullname: 'example.WORKFLOW', name: 'WORKFLOW', periodic: false, project: 'example' };

describe("celery-director's tests/test_api.py against Chordflow", () => {
  it('test_pong', async () => {
    const r = await call('GET', '/api/ping');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ message: 'pong' });
  });

  it('test_post_workflow_without_payload / with_payload / with_comment', async () => {
    let r = await call('POST', '/api/workflows', DEFAULT_PAYLOAD);
    expect(r.status).toBe(201);
    expect(wf(r.json)).toEqual({ ...EXAMPLE, payload: {}, status: 'pending' });
    // Chordflow adds what director cannot say: no worker is running, so the run waits.
    expect(r.json.warnings).toEqual([expect.stringMatching(/No worker is running/)]);
    r = await call('POST', '/api/workflows', { ...DEFAULT_PAYLOAD, payload: { nested: { foo: 'bar' } } });
    expect(r.status).toBe(201);
    expect(wf(r.json)).toEqual({ ...EXAMPLE, payload: { nested: { foo: 'bar' } }, status: 'pending' });
    r = await call('POST', '/api/workflows', { ...DEFAULT_PAYLOAD, comment: 'This is an example workflow.' });
    expect(r.status).toBe(201);
    expect(wf(r.json)).toEqual({
      ...EXAMPLE,
      payload: {},
      comment: 'This is an example workflow.',
      status: 'pending',
    });
  });

  it('test_post_workflow_required_props', async () => {
    let r = await call('POST', '/api/workflows', {});
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('Error validating against schema');
    expect(r.json.errors).toHaveLength(3);
    for (const prop of ['project', 'name', 'payload'])
      expect((r.json.errors as string[]).join(' ')).toContain(prop);
    r = await call('POST', '/api/workflows', { project: 'example' });
    expect(r.status).toBe(400);
    expect(r.json.errors).toHaveLength(2);
    for (const prop of ['name', 'payload']) expect((r.json.errors as string[]).join(' ')).toContain(prop);
    r = await call('POST', '/api/workflows', { project: 'example', name: 'WORKFLOW' });
    expect(r.status).toBe(400);
    expect(r.json.errors).toHaveLength(1);
    expect((r.json.errors as string[])[0]).toContain('payload');
  });

  it('test_post_workflow_unexpected_properties', async () => {
    const r = await call('POST', '/api/workflows', { ...DEFAULT_PAYLOAD, foo: 'bar' });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('Error validating against schema');
    expect((r.json.errors as string[])[0]).toContain("'foo' was unexpected");
  });

  it('test_relaunch_not_existing_workflow / test_cancel_not_existing_workflow', async () => {
    const id = '280d0c4065d04063a800a3b674562711';
    expect((await call('POST', `/api/workflows/${id}/relaunch`, {})).status).toBe(404);
    expect((await call('POST', `/api/workflows/${id}/cancel`, {})).status).toBe(404);
  });

  it('test_relaunch_workflow', async () => {
    const body = {
      ...DEFAULT_PAYLOAD,
      payload: { nested: { foo: 'bar' } },
      comment: 'This is an example workflow.',
    };
    const created = await call('POST', '/api/workflows', body);
    expect(created.status).toBe(201);
    const id = (created.raw as J).id as string;
    const r = await call('POST', `/api/workflows/${id}/relaunch`, {});
    expect(r.status).toBe(201);
    expect(wf(r.json)).toEqual({
      ...EXAMPLE,
      payload: { nested: { foo: 'bar' } },
      comment: 'This is an example workflow.',
      status: 'pending',
    });
    const list = await call('GET', '/api/workflows');
    expect(list.json).toHaveLength(2);
    expect(list.json[0]).toEqual(list.json[1]);
    const ids = (list.raw as J[]).map((w) => w.id as string);
    const keys = async (wid: string) =>
      ((await call('GET', `/api/workflows/${wid}`)).json.tasks as J[]).map((t) => t.key);
    expect(await keys(ids[0]!)).toEqual(await keys(ids[1]!));
    // Each run's tasks have their own ids, as Celery task ids are.
    const taskIds = async (wid: string) =>
      (((await call('GET', `/api/workflows/${wid}`)).raw as J).tasks as J[]).map((t) => t.id);
    expect(await taskIds(ids[0]!)).not.toEqual(await taskIds(ids[1]!));
  });

  it('test_cancel_workflow', async () => {
    const created = await call('POST', '/api/workflows', {
      project: 'example',
      name: 'DELAY_TASK',
      payload: {},
    });
    expect(created.status).toBe(201);
    const id = (created.raw as J).id as string;
    const r = await call('POST', `/api/workflows/${id}/cancel`, {});
    expect(r.status).toBe(201);
    expect(r.json.status).toBe('canceled');
    const tasks = (await call('GET', `/api/workflows/${id}`)).json.tasks as J[];
    expect(tasks[0]!.status).toBe('canceled');
  });

  it('test_not_found_workflows', async () => {
    expect((await call('POST', '/api/workflows', DEFAULT_PAYLOAD)).status).toBe(201);
    let r = await call('POST', '/api/workflows', { ...DEFAULT_PAYLOAD, name: 'NOT_FOUND' });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: 'Workflow example.NOT_FOUND not found' });
    r = await call('POST', '/api/workflows', { ...DEFAULT_PAYLOAD, project: 'NOT_FOUND' });
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: 'Workflow NOT_FOUND.WORKFLOW not found' });
  });

  it('test_list_workflows', async () => {
    let r = await call('GET', '/api/workflows');
    expect(r.status).toBe(200);
    expect(r.json).toEqual([]);
    expect((await call('POST', '/api/workflows', DEFAULT_PAYLOAD)).status).toBe(201);
    r = await call('GET', '/api/workflows');
    expect(r.json).toEqual([{ ...EXAMPLE, payload: {}, status: 'pending' }]);
    for (let i = 0; i < 9; i++) await call('POST', '/api/workflows', DEFAULT_PAYLOAD);
    expect((await call('GET', '/api/workflows')).json).toHaveLength(10);
  });

  it('test_list_paginated_workflows', async () => {
    const store = cluster.stack.client!.store;
    const now = Date.now();
    for (let i = 0; i < 20; i++) {
      const date = new Date(now + i * 60_000).toISOString();
      await store.createRun(
        {
          id: `paged-${i}`,
          name: 'WORKFLOW',
          project: 'example',
          status: 'pending',
          payload: { i: i + 1 },
          canvas: null,
          created: date,
          updated: date,
          started_ms: now,
        },
        null,
      );
    }
    const items = async (q: string) =>
      ((await call('GET', `/api/workflows${q}`)).json as J[]).map((w) => (w.payload as J).i);
    // CHORDFLOW_WORKFLOWS_PER_PAGE=15, as DIRECTOR_WORKFLOWS_PER_PAGE in director's test .env.
    expect(await items('')).toHaveLength(15);
    expect(await items('?per_page=1')).toEqual([20]);
    expect(await items('?per_page=4&page=1')).toEqual([20, 19, 18, 17]);
    expect(await items('?per_page=4&page=2')).toEqual([16, 15, 14, 13]);
    expect(await items('?per_page=3&page=7')).toEqual([2, 1]);
    expect((await call('GET', '/api/workflows?per_page=4&page=6')).status).toBe(404);
    // with_payload is Python's strtobool, as in director.
    for (const no of ['false', 'False', '0', 'no', 'f', 'OFF']) {
      const rows = (await call('GET', `/api/workflows?per_page=2&with_payload=${no}`)).json as J[];
      expect(rows.every((w) => !('payload' in w))).toBe(true);
    }
    for (const yes of ['true', 'True', '1', 'yes', 'bogus']) {
      const rows = (await call('GET', `/api/workflows?per_page=2&with_payload=${yes}`)).json as J[];
      expect(rows.every((w) => 'payload' in w)).toBe(true);
    }
  });

  it('test_get_workflow', async () => {
    const id = ((await call('POST', '/api/workflows', DEFAULT_PAYLOAD)).raw as J).id as string;
    const r = await call('GET', `/api/workflows/${id}`);
    expect(r.status).toBe(200);
    expect(r.json.tasks).toHaveLength(1);
    const view = wf(r.json);
    delete (view.tasks as J[])[0]!.task;
    expect(view).toEqual({
      ...EXAMPLE,
      payload: {},
      status: 'pending',
      tasks: [{ key: 'TASK_EXAMPLE', previous: [], result: null, status: 'pending', is_hook: false }],
    });
    // `task` is the task's id, a UUID unique to this run.
    const task = ((r.raw as J).tasks as J[])[0]!;
    expect(task.task).toBe(task.id);
    expect(task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('test_get_workflow_simple_chain', async () => {
    const id = ((await call('POST', '/api/workflows', { ...DEFAULT_PAYLOAD, name: 'SIMPLE_CHAIN' })).raw as J)
      .id as string;
    const r = await call('GET', `/api/workflows/${id}`);
    expect(r.status).toBe(200);
    const tasks = (r.raw as J).tasks as J[];
    expect(tasks).toHaveLength(3);
    // Director's previous edges: each step follows the one before.
    expect(tasks.map((t) => t.previous)).toEqual([[], [tasks[0]!.id], [tasks[1]!.id]]);
  });

  it('test_get_not_found_workflow', async () => {
    const r = await call('GET', '/api/workflows/e0ee42d8-e00f-4557-8f75-781106dbbea4');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: 'Workflow e0ee42d8-e00f-4557-8f75-781106dbbea4 not found' });
  });

  it('test_schema', async () => {
    const body = { project: 'schemas', name: 'SIMPLE_SCHEMA', payload: {} as J };
    let r = await call('POST', '/api/workflows', body);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: 'Payload is not valid', errors: ["'name' is a required property"] });
    body.payload.price = 'foo';
    r = await call('POST', '/api/workflows', body);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('Payload is not valid');
    expect([...(r.json.errors as string[])].sort()).toEqual(
      ["'name' is a required property", "'foo' is not of type 'number'"].sort(),
    );
    body.payload = { name: 'foo', price: 100 };
    expect((await call('POST', '/api/workflows', body)).status).toBe(201);
  });

  it('test_list_definitions', async () => {
    const r = await call('GET', '/api/definitions');
    expect(r.status).toBe(200);
    const keys = ['fullname', 'name', 'project', 'tasks', 'hooks', 'queue', 'schema', 'periodic'];
    const mine = (r.json as J[]).filter((d) => d.project === 'example' || d.project === 'schemas');
    expect(mine.map((d) => pick(d, keys))).toEqual([
      {
        fullname: 'example.CELERY_ERROR_MULTIPLE_TASKS',
        name: 'CELERY_ERROR_MULTIPLE_TASKS',
        project: 'example',
        tasks: ['TASK_A', 'TASK_CELERY_ERROR'],
      },
      {
        fullname: 'example.CELERY_ERROR_ONE_TASK',
        name: 'CELERY_ERROR_ONE_TASK',
        project: 'example',
        tasks: ['TASK_CELERY_ERROR'],
      },
      { fullname: 'example.DELAY_TASK', name: 'DELAY_TASK', project: 'example', tasks: ['DELAY'] },
      { fullname: 'example.ERROR', name: 'ERROR', project: 'example', tasks: ['TASK_ERROR'] },
      {
        fullname: 'example.FAILURE_HOOK',
        hooks: { failure: 'TASK_B' },
        name: 'FAILURE_HOOK',
        project: 'example',
        tasks: ['TASK_A', 'TASK_ERROR'],
      },
      {
        fullname: 'example.RETURN_EXCEPTION',
        name: 'RETURN_EXCEPTION',
        project: 'example',
        tasks: ['STR', 'TASK_ERROR'],
      },
      {
        fullname: 'example.RETURN_VALUES',
        name: 'RETURN_VALUES',
        project: 'example',
        tasks: ['STR', 'INT', 'LIST', 'NONE', 'DICT', 'NESTED'],
      },
      {
        fullname: 'example.SIMPLE_CHAIN',
        name: 'SIMPLE_CHAIN',
        project: 'example',
        tasks: ['TASK_A', 'TASK_B', 'TASK_C'],
      },
      {
        fullname: 'example.SIMPLE_CHAIN_ERROR',
        name: 'SIMPLE_CHAIN_ERROR',
        project: 'example',
        tasks: ['TASK_A', 'TASK_B', 'TASK_ERROR'],
      },
      {
        fullname: 'example.SIMPLE_GROUP',
        name: 'SIMPLE_GROUP',
        project: 'example',
        tasks: ['TASK_A', { EXAMPLE_GROUP: { tasks: ['TASK_B', 'TASK_C'], type: 'group' } }],
      },
      {
        fullname: 'example.SIMPLE_GROUP_ERROR',
        name: 'SIMPLE_GROUP_ERROR',
        project: 'example',
        tasks: ['TASK_A', { EXAMPLE_GROUP: { tasks: ['TASK_ERROR', 'TASK_C'], type: 'group' } }],
      },
      {
        fullname: 'example.SUCCESSANDFAILURE_HOOK',
        hooks: { failure: 'TASK_C', success: 'TASK_B' },
        name: 'SUCCESSANDFAILURE_HOOK',
        project: 'example',
        tasks: ['TASK_A'],
      },
      {
        fullname: 'example.TASK_ROUTING',
        name: 'TASK_ROUTING',
        project: 'example',
        queue: { customs: { TASK_B: 'q2' }, default: 'q1' },
        tasks: ['TASK_A', { EXAMPLE_GROUP: { tasks: ['TASK_B', 'TASK_C'], type: 'group' } }],
      },
      { fullname: 'example.WORKFLOW', name: 'WORKFLOW', project: 'example', tasks: ['TASK_EXAMPLE'] },
      {
        fullname: 'schemas.SIMPLE_SCHEMA',
        name: 'SIMPLE_SCHEMA',
        project: 'schemas',
        schema: {
          properties: { name: { type: 'string' }, price: { type: 'number' } },
          required: ['name'],
          type: 'object',
        },
        tasks: ['TASK_EXAMPLE'],
      },
    ]);
  });

  it('cancels a finished run as director does: the run becomes canceled, its tasks keep their states', async () => {
    const store = cluster.stack.client!.store;
    const id = ((await call('POST', '/api/workflows', DEFAULT_PAYLOAD)).raw as J).id as string;
    await store.setStatus(id, 'success');
    const r = await call('POST', `/api/workflows/${id}/cancel`, {});
    expect(r.status).toBe(201);
    expect(r.json.status).toBe('canceled');
    expect((await call('GET', `/api/workflows/${id}`)).json.status).toBe('canceled');
  });
});
