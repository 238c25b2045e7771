import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelService, startModelService } from './service';

let svc: ModelService;
beforeAll(async () => {
  svc = await startModelService({ port: 0 });
});
afterAll(() => svc.close());

async function predict(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${svc.url}/v1/predict`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('mock model service', () => {
  it('answers health and predicts per task type like the seed', async () => {
    expect(await (await fetch(`${svc.url}/health`)).json()).toEqual({ status: 'ok' });
    const a = await predict({ text: 'hello world', task_type: 'preprocess', request_id: 'r-a' });
    expect(a.status).toBe(200);
    expect(a.json).toEqual({
      model: 'text-preprocessor-v1',
      result: { processed: 'HELLO WORLD', tokens: ['hello', 'world'], length: 11 },
      request_id: 'r-a',
      call_count: 1,
    });
    const b = await predict({ text: 'HELLO WORLD', task_type: 'embed', request_id: 'r-b' });
    expect((b.json.result as { embedding: number[] }).embedding).toEqual([
      1.1, 1.11, 1.12, 1.13, 1.14, 1.15, 1.16, 1.17,
    ]);
    const c = await predict({ text: 'abc', task_type: 'classify', request_id: 'r-c' });
    expect((c.json.result as { label: string }).label).toBe('neutral');
    const u = await predict({ text: 'x', task_type: 'other', request_id: 'r-u' });
    expect(u.json.model).toBe('unknown');
  });

  it('counts before failing: the first fail_times calls are 500s, then success', async () => {
    const body = { text: 't', task_type: 'preprocess', request_id: 'flaky-1', fail_times: 2 };
    const first = await predict(body);
    expect(first.status).toBe(500);
    expect(first.json).toEqual({
      error: 'Model inference failed',
      detail: 'Simulated failure #1 of 2',
      request_id: 'flaky-1',
    });
    expect((await predict(body)).status).toBe(500);
    const third = await predict(body);
    expect(third.status).toBe(200);
    expect(third.json.call_count).toBe(3);
    const stats = (await (await fetch(`${svc.url}/v1/stats`)).json()) as Record<string, number>;
    expect(stats['flaky-1']).toBe(3);
  });

  it('delays before the fail check and resets counters', async () => {
    const started = performance.now();
    const r = await predict({ request_id: 'slow-1', delay_seconds: 0.2, fail_times: 1 });
    expect(r.status).toBe(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    const reset = await fetch(`${svc.url}/v1/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ status: 'reset' });
    expect(await (await fetch(`${svc.url}/v1/stats`)).json()).toEqual({});
  });

  it('uses the defaults when fields are missing and rejects non-JSON', async () => {
    const r = await predict({});
    expect(r.json.request_id).toBe('anonymous');
    expect(r.json.model).toBe('text-preprocessor-v1');
    const bad = await fetch(`${svc.url}/v1/predict`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
  });
});
