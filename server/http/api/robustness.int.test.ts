/**
 * Robustness of the API: 1,000 malformed bodies give only 4xx answers with an `error` sentence (never a
 * 500, never a crash) and the server stays healthy; token auth guards every request but /api/ping.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../../../tests/support/cluster';

const TOKEN = 's3cret-token';
let cluster: TestCluster;
let base: string;
beforeAll(async () => {
  cluster = await startTestCluster({
    workers: 1,
    api: true,
    env: { CHORDFLOW_API_TOKEN: TOKEN },
  });
  base = cluster.api!.url;
});
afterAll(() => cluster.close());

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant({ task: 'identity' }),
  fc.record({ chord: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ chain: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) }),
  fc.record({ task: fc.string(), args: fc.jsonValue({ maxDepth: 1 }) }),
);

const malformed: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom('project', 'name', 'payload', 'canvas', 'comment', 'extra', 'description'),
      fieldValue,
      {
        maxKeys: 4,
      },
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v).slice(0, -1)),
);

describe('API robustness', () => {
  it('answers 1,000 malformed bodies with 4xx only and stays healthy', async () => {
    const bodies = fc.sample(malformed, { numRuns: 1000, seed: 99 });
    const paths = [
      '/api/workflows',
      '/api/definitions',
      '/api/workflows/x/cancel',
      '/api/workflows/../../etc',
    ];
    const statuses = new Map<number, number>();
    let accepted = 0;
    for (let i = 0; i < bodies.length; i += 20) {
      const slice = bodies.slice(i, i + 20);
      const results = await Promise.all(
        slice.map(async (body, j) => {
          const res = await fetch(`${base}${paths[(i + j) % paths.length]}`, {
            method: 'POST',
            headers: auth,
            body,
          });
          const json = (await res.json()) as { error?: unknown };
          return { status: res.status, json, body };
        }),
      );
      for (const r of results) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        // A random body may by chance be a valid request (201); anything else must be a 4xx with a sentence.
        if (r.status === 201) {
          accepted++;
          continue;
        }
        expect(r.status, r.body).toBeGreaterThanOrEqual(400);
        expect(r.status, r.body).toBeLessThan(500);
        expect(typeof r.json.error, r.body).toBe('string');
      }
    }
    expect(accepted).toBeLessThan(100);
    const health = await fetch(`${base}/api/health`, { headers: auth });
    expect(health.status).toBe(200);
    expect(((await health.json()) as { redis: string }).redis).toBe('ok');
  }, 60_000);

  it('requires the token for every request but /api/ping', async () => {
    const body = JSON.stringify({ canvas: { task: 'identity', args: [1] } });
    const noToken = await fetch(`${base}/api/workflows`, { method: 'POST', body });
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: string }).error).toMatch(/needs a token/);
    const wrong = await fetch(`${base}/api/workflows`, {
      method: 'POST',
      body,
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${base}/api/workflows`, { method: 'POST', body, headers: auth });
    expect(ok.status).toBe(201);
    expect((await fetch(`${base}/api/workflows`)).status).toBe(401);
    expect((await fetch(`${base}/api/workflows`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${base}/api/ping`)).status).toBe(200);
  });
  it('answers thousands of invalid tasks with a bounded 400: the first problems and a count', async () => {
    const post = async (canvas: unknown) => {
      const res = await fetch(`${base}/api/workflows`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ canvas }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const unknown = await post({ group: Array.from({ length: 30_000 }, (_, i) => ({ task: `n${i}` })) });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe(
      `Unknown tasks ${Array.from({ length: 20 }, (_, i) => `"n${i}"`).join(', ')} and 29,980 more: register them in the tasks directory or use a built-in task.`,
    );
    const bad = await post({
      // 15,000: the default 1 MB body limit holds them.
      group: Array.from({ length: 15_000 }, () => ({ task: 'identity', options: { max_retries: -1 } })),
    });
    expect(bad.status).toBe(400);
    const json = bad.json as { error: string; errors: string[]; error_count: number };
    expect(json.error_count).toBe(15_000);
    expect(json.errors).toHaveLength(100);
    expect(json.errors[1]).toMatch(/^canvas\.tasks\[1\]\.options\.max_retries: "max_retries" must be/);
    expect(json.error).toMatch(/^The canvas is not valid: .* … and 14,980 more problems\.$/);
    expect(json.error.length).toBeLessThan(5_000);
  });
});
