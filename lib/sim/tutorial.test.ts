/**
 * The seed tutorial A → (B | C) → D under its five scenarios reproduces the seed's outcome table
 * (seed-tutorial-and-director.md 1.5, 1.6): states, attempts, retries_used, results, attempt start times.
 */
import { describe, expect, it } from 'vitest';
import { chain, task } from '../canvas/build';
import { simulate } from './simulate';
import { catalogue, runCanvas } from './testing/harness';
import { tutorialPipeline } from './tutorialCanvas';

const TUTORIAL = tutorialPipeline({ raw: 'hello world' }, { A: 'A', B: 'B', C: 'C', D: 'D' });

/** Attempt start times in seconds, rounded to the tolerance of "≈" in the seed table (model calls take ms). */
function starts(run: ReturnType<typeof runCanvas>, id: string): number[] {
  return run.task(id).history.map((h) => Math.round(h.started_at / 1000));
}

const A_OK = { processed: 'HELLO WORLD', length: 11, model: 'text-preprocessor-v1', retries_used: 0 };
const B_OK = {
  b_result: 'embedding by B: dim=8',
  embedding: [1.1, 1.11, 1.12, 1.13, 1.14, 1.15, 1.16, 1.17],
  model: 'embedding-v1',
  retries_used: 0,
};
const C_OK = {
  c_result: 'classified by C: positive (0.92)',
  label: 'positive',
  confidence: 0.92,
  model: 'classifier-v1',
  retries_used: 0,
};
const D_OK = {
  final: 'merge complete',
  from_b: 'embedding by B: dim=8',
  from_c: 'classified by C: positive (0.92)',
  b_retries: 0,
  c_retries: 0,
};
const HTTP_500 = '500 Server Error: INTERNAL SERVER ERROR for url: http://model-service:9000/v1/predict';

describe('tutorial pipeline (seed table 1.6)', () => {
  it('happy: everything succeeds once, with the seed values', () => {
    const r = runCanvas(TUTORIAL, { scenario: 'happy' });
    expect(r.report.status).toBe('success');
    expect([r.value('A'), r.value('B'), r.value('C'), r.value('D')]).toEqual([A_OK, B_OK, C_OK, D_OK]);
    expect(r.report.result).toEqual(D_OK);
    for (const id of ['A', 'B', 'C', 'D']) expect(r.task(id).attempts).toBe(1);
    // B and C run in parallel.
    expect(r.task('B').started_at).toBe(r.task('C').started_at);
  });

  it('flaky: A succeeds on attempt 3 (retries_used 2), attempts at 0, 2, 6 s; B, C, D once at ≈6 s', () => {
    const r = runCanvas(TUTORIAL, { scenario: 'flaky' });
    expect(r.report.status).toBe('success');
    expect(r.value('A')).toEqual({ ...A_OK, retries_used: 2 });
    expect(starts(r, 'A')).toEqual([0, 2, 6]);
    expect(r.task('A').history.map((h) => h.countdown_ms)).toEqual([2000, 4000, undefined]);
    expect(starts(r, 'B')).toEqual([6]);
    expect(starts(r, 'C')).toEqual([6]);
    expect(r.value('D')).toEqual(D_OK);
  });

  it('slow: every A attempt ends by ReadTimeout 5 s after it starts; starts 0, 7, 16, 29 s; failure at 34 s', () => {
    const r = runCanvas(TUTORIAL, { scenario: 'slow' });
    expect(r.report.status).toBe('failure');
    expect(r.task('A').history.map((h) => h.started_at)).toEqual([0, 7000, 16000, 29000]);
    expect(r.task('A').history.map((h) => h.finished_at - h.started_at)).toEqual([5000, 5000, 5000, 5000]);
    expect(r.task('A').error).toMatchObject({
      type: 'ReadTimeout',
      message: "HTTPConnectionPool(host='model-service', port=9000): Read timed out. (read timeout=5)",
    });
    expect(r.report.makespan_ms).toBe(34000);
    expect([r.task('B').state, r.task('C').state]).toEqual(['PENDING', 'PENDING']);
    // Celery descends the chain failure into the chord body (4.2).
    expect(r.task('D')).toMatchObject({ state: 'FAILURE', attempts: 0 });
  });

  it('down: A fails after 4 immediate 500s at 0, 2, 6, 14 s with the HTTPError', () => {
    const r = runCanvas(TUTORIAL, { scenario: 'down' });
    expect(r.report.status).toBe('failure');
    expect(starts(r, 'A')).toEqual([0, 2, 6, 14]);
    expect(r.task('A')).toMatchObject({
      state: 'FAILURE',
      attempts: 4,
      error: { type: 'HTTPError', message: HTTP_500 },
    });
    expect(r.report.makespan_ms).toBeLessThan(14500);
    expect([r.task('B').state, r.task('C').state]).toEqual(['PENDING', 'PENDING']);
  });

  it('partial_fail: B fails after attempts at 0, 3, 6, 9 s; C succeeds; D never runs and is marked with ChordError at ≈9 s', () => {
    const r = runCanvas(TUTORIAL, { scenario: 'partial_fail' });
    expect(r.report.status).toBe('failure');
    expect(r.value('A')).toEqual(A_OK);
    expect(r.value('C')).toEqual(C_OK);
    expect(starts(r, 'B')).toEqual([0, 3, 6, 9]);
    expect(r.task('B').history.map((h) => h.countdown_ms)).toEqual([3000, 3000, 3000, undefined]);
    expect(r.task('B')).toMatchObject({
      state: 'FAILURE',
      attempts: 4,
      error: { type: 'HTTPError', message: HTTP_500 },
    });
    expect(r.task('D')).toMatchObject({ state: 'FAILURE', attempts: 0 });
    expect(r.task('D').error?.message).toBe(`Dependency B raised HTTPError('${HTTP_500}')`);
    expect(Math.round((r.task('D').finished_at ?? 0) / 1000)).toBe(9);
    expect(Math.round(r.report.makespan_ms / 1000)).toBe(9);
  });

  it('model-service call counts per task instance match the seed (flaky A3; partial_fail B4)', () => {
    const flaky = runCanvas(TUTORIAL, { scenario: 'flaky' });
    expect(flaky.events.filter((e) => e.type === 'task.started' && e.task_id === 'A')).toHaveLength(3);
    const partial = runCanvas(TUTORIAL, { scenario: 'partial_fail' });
    expect(partial.events.filter((e) => e.type === 'task.started' && e.task_id === 'B')).toHaveLength(4);
  });

  it('reads the scenario from payload.scenario when no override is given; unknown → happy', () => {
    const withPayload = chain(
      task('TASK_A', [null], { id: 'A', kwargs: { payload: { raw: 'hi', scenario: 'down' } } }),
      task('TASK_B', [], { id: 'B', kwargs: { payload: { raw: 'hi', scenario: 'nope' } } }),
    );
    const r = runCanvas(withPayload);
    expect(r.task('A').attempts).toBe(4);
    const ok = runCanvas(
      chain(task('TASK_A', [null], { id: 'A', kwargs: { payload: { raw: 'hi', scenario: 'nope' } } })),
    );
    expect(ok.value('A')).toMatchObject({ processed: 'HI', length: 2 });
  });
});

describe('critical path', () => {
  it('follows what dispatched each task back from the last one to finish', () => {
    const r = simulate(
      {
        canvas: TUTORIAL,
        invoke: { args: [], kwargs: {} },
        config: { task_allow_error_cb_on_chord_header: false },
      },
      { catalogue, scenario: 'flaky' },
    );
    expect(r.critical_path[0]).toBe('A');
    expect(['B', 'C']).toContain(r.critical_path[1]);
    expect(r.critical_path[2]).toBe('D');
    expect(r.critical_path).toHaveLength(3);
  });
});

describe('TASK_C retry policy (never exercised by the seed scenarios)', () => {
  it('retries with integer full jitter in [0, min(15, 2·2^n)] s and re-raises the HTTPError after 4 attempts', () => {
    const canvas = tutorialPipeline({ raw: 'hello world' }, { C: 'C' });
    // Inject failures into C through its simulation model (the seed's service config never fails C).
    const withFaults = JSON.parse(
      JSON.stringify(canvas).replace(
        '"id":"C"',
        '"id":"C","sim":{"down":true,"error":{"type":"HTTPError","message":"500 Server Error"}}',
      ),
    );
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = runCanvas(withFaults, { seed });
      const c = r.task('C');
      expect(c).toMatchObject({ state: 'FAILURE', attempts: 4, error: { type: 'HTTPError' } });
      const countdowns = c.history.slice(0, 3).map((h) => (h.countdown_ms ?? -1) / 1000);
      countdowns.forEach((s, n) => {
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(Math.min(15, 2 * 2 ** n));
      });
    }
  });
});
