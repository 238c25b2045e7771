/**
 * `POST /api/workflows {canvas, payload}`: the payload goes into every task that takes one, as
 * `chordflow run --payload` and director's definitions give it; a payload whose copies would make the
 * run huge is refused with a sentence, before anything is copied or stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCalls } from '../../../tests/support/apiCalls';
import { startTestCluster, type TestCluster } from '../../../tests/support/cluster';

let cluster: TestCluster;
let base: string;
beforeAll(async () => {
  cluster = await startTestCluster({ workers: 1, api: true, modelService: true });
  base = cluster.api?.url ?? '';
});
afterAll(() => cluster.close());

interface Workflow {
  status: string;
  tasks?: Array<{ key: string; result: unknown; status: string }>;
}

const { call, waitDone: waitJson } = apiCalls(() => base);
const waitDone = async (id: string) => (await waitJson(id)) as unknown as Workflow;

/** The tutorial pipeline with no payload of its own in any task. */
const BARE_TUTORIAL = {
  chain: [
    { task: 'TASK_A', args: [null] },
    { group: [{ task: 'TASK_B' }, { task: 'TASK_C' }] },
    { task: 'TASK_D' },
  ],
};

describe('POST /api/workflows with a canvas and a payload', () => {
  it("gives the payload to every task that takes one (over the canvas's own)", async () => {
    const canvas = {
      chain: [
        { task: 'TASK_A', args: [null], kwargs: { payload: { raw: 'the canvas own', scenario: 'happy' } } },
        ...BARE_TUTORIAL.chain.slice(1),
      ],
    };
    const posted = await call('POST', '/api/workflows', {
      canvas,
      payload: { raw: 'given by the caller', scenario: 'happy' },
    });
    expect(posted.status).toBe(201);
    const wf = await waitDone(posted.json.id as string);
    expect(wf.status).toBe('success');
    const a = wf.tasks?.find((t) => t.key === 'TASK_A');
    expect(a?.result).toMatchObject({ processed: 'GIVEN BY THE CALLER' });
  });

  it('runs the scenario the payload names (partial_fail: TASK_B fails, the run ends in error)', async () => {
    const posted = await call('POST', '/api/workflows', {
      canvas: BARE_TUTORIAL,
      payload: { raw: 'hello world', scenario: 'partial_fail' },
    });
    expect(posted.status).toBe(201);
    const wf = await waitDone(posted.json.id as string);
    expect(wf.status).toBe('error');
    expect(wf.tasks?.find((t) => t.key === 'TASK_B')?.status).toBe('error');
  }, 60_000);

  it('refuses a payload whose copies would make the run huge, and stores nothing', async () => {
    const before = ((await call('GET', '/api/workflows?per_page=100')).json as unknown as unknown[]).length;
    const canvas = { group: Array.from({ length: 100 }, () => ({ task: 'TASK_B' })) };
    const posted = await call('POST', '/api/workflows', { canvas, payload: { raw: 'x'.repeat(1_000_000) } });
    expect(posted.status).toBe(400);
    expect(String(posted.json.error)).toMatch(/copied into 100 tasks/);
    const after = ((await call('GET', '/api/workflows?per_page=100')).json as unknown as unknown[]).length;
    expect(after).toBe(before);
  });
});
