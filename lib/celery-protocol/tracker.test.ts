/**
 * The tracker's reading of Celery's feeds as they really arrive (celery-wire.md 4.4): result records before
 * the batched events, lost task events, retries dated by the re-sent message's ETA, Celery's marks without
 * events, and the chord-in-chain remainder Celery never settles.
 */
import { describe, expect, it } from 'vitest';
import { canvasFile, chain, group, task } from '../canvas/build';
import { createCatalogue } from '../canvas/catalogue';
import { planRun } from '../engine';
import type { RunEvent, UnsequencedRunEvent } from '../protocol/events';
import { reduceRunAll } from '../protocol/reduceRun';
import { toReport } from '../protocol/toReport';
import { celeryIdMap } from './ids';
import { PENDING_GRACE_MS } from './trackedTask';
import { CeleryRunTracker } from './tracker';

const T0 = 1_800_000_000_000;
const catalogue = createCatalogue();

function setup(canvas: Parameters<typeof canvasFile>[0]) {
  const plan = planRun(canvasFile(canvas), catalogue, 'r1');
  const ids = celeryIdMap(plan);
  const tracker = new CeleryRunTracker(plan, ids, T0);
  const log: UnsequencedRunEvent[] = [...tracker.start('t', [ids.taskId(plan.tasks[0] as never)])];
  const cid = (id: string) => `r1.t.${id}`;
  const ev = (type: string, id: string, ms: number, extra: object = {}) =>
    log.push(
      ...tracker.onEvent({ type, uuid: cid(id), timestamp: (T0 + ms) / 1000, hostname: 'w@h', ...extra }),
    );
  const rec = (id: string, status: string, result: unknown, ms: number, traceback: string | null = null) =>
    log.push(...tracker.onRecord({ task_id: cid(id), status, result: result as never, traceback }, T0 + ms));
  const report = () => {
    const events = log.map((e, i) => ({ ...e, seq: i + 1 }) as RunEvent);
    return toReport(reduceRunAll(events));
  };
  return { tracker, log, ev, rec, report };
}

describe('CeleryRunTracker', () => {
  it('waits for the events of a record that came first, then dates the attempt by them', () => {
    const s = setup(chain(task('add', [1, 2], { id: 'a' }), task('mul', [10], { id: 'b' })));
    s.rec('a', 'SUCCESS', 3, 30);
    expect(s.tracker.hasPending()).toBe(true);
    s.ev('task-received', 'a', 5, { retries: 0 });
    s.ev('task-started', 'a', 10);
    s.ev('task-received', 'b', 20, { retries: 0 });
    s.ev('task-started', 'b', 25);
    // task-succeeded of b lost (threads pool): the record alone ends it.
    s.rec('b', 'SUCCESS', 30, 40);
    s.ev('task-succeeded', 'b', 38);
    s.log.push(...s.tracker.finish(T0 + 50));
    const r = s.report();
    expect(r.status).toBe('success');
    expect(r.result).toBe(30);
    expect(r.tasks.map((t) => [t.id, t.state, t.attempts, t.started_at])).toEqual([
      ['a', 'SUCCESS', 1, 10],
      ['b', 'SUCCESS', 1, 25],
    ]);
  });

  it('dates a retry by the ETA of the re-sent message and keeps the record error and countdown', () => {
    const s = setup(task('flaky', [1, 'v'], { id: 'f' }));
    s.ev('task-received', 'f', 0, { retries: 0 });
    s.ev('task-started', 'f', 2);
    const tb = "Traceback…\ncelery.exceptions.Retry: Retry in 0.2s: ExpectedException('flaky', 0)\n";
    s.rec(
      'f',
      'RETRY',
      { exc_type: 'ExpectedException', exc_message: ['flaky', 0], exc_module: 'm' },
      90,
      tb,
    );
    // The re-sent message: eta = retry moment (8 ms) + 200 ms.
    s.ev('task-received', 'f', 95, { retries: 1, eta: new Date(T0 + 208).toISOString() });
    s.ev('task-retried', 'f', 120, { traceback: tb });
    s.ev('task-started', 'f', 209);
    s.rec('f', 'SUCCESS', 'v', 215);
    s.ev('task-succeeded', 'f', 214);
    s.log.push(...s.tracker.finish(T0 + 300));
    const t = s.report().tasks[0];
    expect(t?.history).toEqual([
      {
        attempt: 1,
        started_at: 2,
        finished_at: 8,
        outcome: 'retry',
        countdown_ms: 200,
        error: expect.objectContaining({
          type: 'ExpectedException',
          message: "('flaky', 0)",
          args: ['flaky', 0],
        }),
      },
      // The record came before task-succeeded: its arrival dates the end.
      { attempt: 2, started_at: 209, finished_at: 215, outcome: 'success' },
    ]);
  });

  it("bounds a retry dated only by a late stamp by the next attempt's start minus its countdown", () => {
    // Under load the re-sent message's task-received (its ETA) is lost and the RETRY record is seen late:
    // the next attempt cannot have started before its ETA, so the retry happened by start − countdown.
    const s = setup(task('flaky', [1, 'v'], { id: 'f' }));
    s.ev('task-received', 'f', 0, { retries: 0 });
    s.ev('task-started', 'f', 2);
    const tb = "Traceback…\ncelery.exceptions.Retry: Retry in 0.2s: ExpectedException('flaky', 0)\n";
    s.rec(
      'f',
      'RETRY',
      { exc_type: 'ExpectedException', exc_message: ['flaky', 0], exc_module: 'm' },
      150,
      tb,
    );
    s.ev('task-started', 'f', 260);
    s.ev('task-succeeded', 'f', 262);
    s.rec('f', 'SUCCESS', 'v', 265);
    s.log.push(...s.tracker.finish(T0 + 300));
    const h = s.report().tasks[0]?.history ?? [];
    expect(h.map((a) => [a.attempt, a.started_at, a.finished_at, a.outcome])).toEqual([
      [1, 2, 60, 'retry'],
      [2, 260, 262, 'success'],
    ]);
  });

  it("holds the next attempt's start until the RETRY record of the previous one comes", () => {
    const s = setup(task('flaky', [1, 'v'], { id: 'f' }));
    const tb = "celery.exceptions.Retry: Retry in 0.2s: ExpectedException('flaky', 0)\n";
    s.ev('task-received', 'f', 0, { retries: 0 });
    s.ev('task-started', 'f', 2);
    s.ev('task-received', 'f', 9, { retries: 1, eta: new Date(T0 + 208).toISOString() });
    s.ev('task-started', 'f', 209);
    s.ev('task-retried', 'f', 12, { traceback: tb });
    s.rec(
      'f',
      'RETRY',
      { exc_type: 'ExpectedException', exc_message: ['flaky', 0], exc_module: 'm' },
      230,
      tb,
    );
    s.rec('f', 'SUCCESS', 'v', 240);
    s.ev('task-succeeded', 'f', 215);
    s.log.push(...s.tracker.finish(T0 + 300));
    expect(
      s
        .report()
        .tasks[0]?.history.map((h) => [h.attempt, h.started_at, h.finished_at, h.outcome, h.error?.type]),
    ).toEqual([
      [1, 2, 8, 'retry', 'ExpectedException'],
      [2, 209, 240, 'success', undefined],
    ]);
  });

  it('reads a FAILURE record without any event as a Celery mark, after the grace period', () => {
    const s = setup(chain(task('fail', [], { id: 'x' }), task('add', [1], { id: 'y' })));
    s.ev('task-received', 'x', 0);
    s.ev('task-started', 'x', 1);
    const err = { exc_type: 'ExpectedException', exc_message: ['Task expected to fail'], exc_module: 'm' };
    s.rec('x', 'FAILURE', err, 5);
    s.rec('y', 'FAILURE', err, 6);
    expect(s.tracker.flushPending(T0 + 6 + PENDING_GRACE_MS - 1)).toEqual([]);
    s.log.push(...s.tracker.flushPending(T0 + 6 + PENDING_GRACE_MS));
    s.log.push(...s.tracker.finish(T0 + 3000));
    const r = s.report();
    expect(r.tasks.map((t) => [t.id, t.state, t.attempts])).toEqual([
      ['x', 'FAILURE', 1],
      ['y', 'FAILURE', 0],
    ]);
    expect(r.error?.type).toBe('ExpectedException');
  });

  it('marks a chord after a failed chain step as the core does (Celery leaves it PENDING)', () => {
    const s = setup(
      chain(
        task('fail', [], { id: 'a' }),
        group(task('add', [1], { id: 'b' }), task('add', [2], { id: 'c' })),
        task('tsum', [], { id: 'd' }),
      ),
    );
    s.ev('task-received', 'a', 0);
    s.ev('task-started', 'a', 1);
    s.rec('a', 'FAILURE', { exc_type: 'ExpectedException', exc_message: ['boom'], exc_module: 'm' }, 5);
    expect(s.tracker.inFlight()).toBe(false);
    s.log.push(...s.tracker.finish(T0 + 2000));
    const r = s.report();
    expect(r.tasks.map((t) => [t.id, t.state])).toEqual([
      ['a', 'FAILURE'],
      ['b', 'PENDING'],
      ['c', 'PENDING'],
      ['d', 'FAILURE'],
    ]);
    expect(r.makespan_ms).toBe(5);
  });
});
