/**
 * The API driven as an attacker would, with raw HTTP (issue #10): hostile origins and content types,
 * DNS-rebinding Host headers, canvases that blew the stack, numbers JSON cannot carry, injected
 * exception names. Every one is a 4xx with a sentence, and nothing is left in Redis.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/cluster';

const LISTED = 'https://director.example.com';
let cluster: TestCluster;
let base: URL;

beforeAll(async () => {
  cluster = await startTestCluster({ workers: 1, api: true, env: { CHORDFLOW_CORS_ORIGINS: LISTED } });
  base = new URL(cluster.api!.url);
});
afterAll(() => cluster.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: string; id?: string } & Record<string, unknown>;
}

/** One raw HTTP request: headers exactly as given (fetch would add or forbid some, e.g. Host, Origin). */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method, path, headers: { ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const JSON_CT = { 'content-type': 'application/json' };
const canvasBody = JSON.stringify({ canvas: { task: 'identity', args: [1] } });

/** Run records, run-owned keys and index entries: what a half-made submit would leave behind. */
async function runCount(): Promise<number> {
  const redis = cluster.stack.redis!;
  const prefix = cluster.config.keyPrefix;
  const runKeys = await redis.keys(`${prefix}:run:*`);
  const definitions = await redis.hlen(`${prefix}:definitions`);
  return runKeys.length + (await redis.zcard(`${prefix}:runs`)) + definitions;
}

describe('cross-origin requests (no token set)', () => {
  it('refuses a text/plain POST (a "simple" request that needs no preflight) with 415', async () => {
    const before = await runCount();
    const r = await raw('POST', '/api/workflows', { 'content-type': 'text/plain' }, canvasBody);
    expect(r.status).toBe(415);
    expect(r.body.error).toMatch(/application\/json/);
    const form = await raw(
      'POST',
      '/api/workflows/x/cancel',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'a=1',
    );
    expect(form.status).toBe(415);
    expect(await runCount()).toBe(before);
  });

  it('refuses mutations from another origin with 403, whatever the content type', async () => {
    const before = await runCount();
    for (const origin of ['http://evil.example', 'null', `http://${base.host}.evil.example`]) {
      const r = await raw('POST', '/api/workflows', { ...JSON_CT, origin }, canvasBody);
      expect(r.status, origin).toBe(403);
      expect(r.body.error).toMatch(/CHORDFLOW_CORS_ORIGINS/);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(await runCount()).toBe(before);
  });

  it('answers the preflight of a listed origin only, and accepts its requests with CORS headers', async () => {
    const evil = await raw('OPTIONS', '/api/workflows', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const listed = await raw('OPTIONS', '/api/workflows', {
      origin: LISTED,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(listed.status).toBe(204);
    expect(listed.headers['access-control-allow-origin']).toBe(LISTED);
    const created = await raw('POST', '/api/workflows', { ...JSON_CT, origin: LISTED }, canvasBody);
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(LISTED);
    await cluster.stack.client!.waitFinished(created.body.id as string, 30_000);
  });

  it('accepts the server’s own origin and programs that send none', async () => {
    const own = await raw(
      'POST',
      '/api/workflows',
      { ...JSON_CT, origin: `http://${base.host}` },
      canvasBody,
    );
    expect(own.status).toBe(201);
    const program = await raw('POST', '/api/workflows', JSON_CT, canvasBody);
    expect(program.status).toBe(201);
    // A body-less POST (director's cancel) needs no content type.
    const cancel = await raw('POST', `/api/workflows/${program.body.id}/cancel`, {});
    expect(cancel.status).toBe(201);
    await cluster.stack.client!.waitFinished(own.body.id as string, 30_000);
  });

  it('refuses a DNS-rebound Host (an attacker name pointing at 127.0.0.1) without a token', async () => {
    const read = await raw('GET', '/api/workflows', { host: `attacker.example:${base.port}` });
    expect(read.status).toBe(403);
    expect(read.body.error).toMatch(/DNS rebinding/);
    const write = await raw(
      'POST',
      '/api/workflows',
      { ...JSON_CT, host: `attacker.example:${base.port}`, origin: `http://attacker.example:${base.port}` },
      canvasBody,
    );
    expect(write.status).toBe(403);
  });
});

describe('hostile canvases through the API', () => {
  const nested = (levels: number): string =>
    `${'{"chain":['.repeat(levels)}{"task":"identity","args":[1]}${']}'.repeat(levels)}`;

  const injected = JSON.stringify({
    task: 'identity',
    args: [1],
    options: {
      autoretry_for: ['Boom(Exception):\n    pass\n__import__("os").system("touch x")\nclass Boom2'],
    },
  });
  /** [what, canvas text, payload text or null, expected sentence] */
  const cases: Array<[string, string, string | null, RegExp]> = [
    ['a 5,000-level nested canvas', nested(5000), null, /nests more than/],
    ['a pipe of numbers', '{"pipe":[1,2]}', null, /Expected a node/],
    ['1e999 in args', '{"task":"identity","args":[1e999]}', null, /Infinity/],
    ['1e999 in the payload', '{"task":"identity","args":[1]}', '{"x":-1e999}', /Infinity/],
    ['code in autoretry_for', injected, null, /not usable as an exception name/],
    [
      '__proto__ as an exception name',
      '{"task":"identity","args":[1],"options":{"autoretry_for":["__proto__"]}}',
      null,
      /not usable as an exception name/,
    ],
    ['a label with a line break', '{"task":"identity","args":[1],"id":"a\\nb"}', null, /control character/],
  ];

  for (const [what, canvas, payload, message] of cases) {
    it(`answers ${what} with a 400 and a sentence, writing nothing`, async () => {
      const before = await runCount();
      const body = `{"canvas":${canvas}${payload === null ? '' : `,"payload":${payload}`}}`;
      const run = await raw('POST', '/api/workflows', JSON_CT, body);
      expect(run.status).toBe(400);
      expect(run.body.error).toMatch(message);
      expect(run.body.error).not.toMatch(/TypeError|Maximum call stack|at .*\.ts:/);
      if (payload === null) {
        const def = await raw(
          'POST',
          '/api/definitions',
          JSON_CT,
          `{"project":"p","name":"n","canvas":${canvas}}`,
        );
        expect(def.status).toBe(400);
        expect(def.body.error).toMatch(message);
      }
      expect(await runCount()).toBe(before);
    });
  }

  it('caps the task count (CHORDFLOW_MAX_TASKS)', async () => {
    const small = await startTestCluster({ workers: 0, api: true, env: { CHORDFLOW_MAX_TASKS: '3' } });
    try {
      const url = `${small.api!.url}/api/workflows`;
      const group = (n: number) => ({
        canvas: { group: Array.from({ length: n }, (_, i) => ({ task: 'identity', args: [i] })) },
      });
      const over = await fetch(url, { method: 'POST', headers: JSON_CT, body: JSON.stringify(group(4)) });
      expect(over.status).toBe(400);
      expect(((await over.json()) as { error: string }).error).toMatch(
        /more than 3 tasks \(CHORDFLOW_MAX_TASKS\)/,
      );
      const fits = await fetch(url, { method: 'POST', headers: JSON_CT, body: JSON.stringify(group(3)) });
      expect(fits.status).toBe(201);
    } finally {
      await small.close();
    }
  });
});

describe('with CHORDFLOW_API_TOKEN set', () => {
  it('answers nothing but /api/ping without the token: reads, reports, health, catalogue, metrics', async () => {
    const secured = await startTestCluster({ workers: 0, api: true, env: { CHORDFLOW_API_TOKEN: 'tk-1' } });
    try {
      const url = secured.api!.url;
      const run = await fetch(`${url}/api/workflows`, {
        method: 'POST',
        headers: { ...JSON_CT, authorization: 'Bearer tk-1' },
        body: canvasBody,
      });
      expect(run.status).toBe(201);
      const { id } = (await run.json()) as { id: string };
      const reads = [
        '/api/workflows',
        `/api/workflows/${id}`,
        `/api/workflows/${id}/report`,
        '/api/health',
        '/api/tasks',
        '/api/definitions',
        '/metrics',
        '/api/no-such-route',
      ];
      for (const path of reads) {
        const anonymous = await fetch(`${url}${path}`);
        expect(anonymous.status, path).toBe(401);
        expect(JSON.stringify(await anonymous.json()), path).not.toContain('"payload"');
        const wrong = await fetch(`${url}${path}`, { headers: { authorization: 'Bearer tk-2' } });
        expect(wrong.status, path).toBe(401);
      }
      for (const path of reads.slice(0, -1)) {
        const ok = await fetch(`${url}${path}`, { headers: { authorization: 'Bearer tk-1' } });
        expect(ok.status, path).toBe(200);
      }
      expect((await fetch(`${url}/api/ping`)).status).toBe(200);
    } finally {
      await secured.close();
    }
  });
});
