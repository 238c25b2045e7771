/**
 * Follows one run on a Celery cluster: Celery's task events and result records in, Chordflow run events
 * out (lib/protocol/events.ts), so a Celery run is stored, streamed, reduced and reported like a run of
 * our own cluster. Pure: every input carries its time (epoch ms).
 *
 * Celery's feeds are incomplete by design (celery-wire.md 4.4): the threads pool loses task events,
 * worker-sent messages have no task-sent, marked failures (chain remainder, ChordError bodies) have no
 * events at all. So result records decide final states and retries; events add start times, workers and
 * queue/ETA moments; a missing `task.started` is synthesized so every attempt appears in the history.
 */
import type { TaskCatalogue } from '../canvas/catalogue';
import type { Json } from '../canvas/model';
import { onBarrierReleased } from '../engine/barrier';
import type { RunPlan } from '../engine/types';
import type { UnsequencedRunEvent } from '../protocol/events';
import { closeWithoutRecord, receivedAt, resolveRetry, startEvent } from './attemptDating';
import { chainRemainderMarks } from './chainRemainderMarks';
import type { CeleryIdMap } from './ids';
import { type CeleryEvent, doneAtMs, type ResultRecord, recordError, retryCountdownMs } from './records';
import { FINAL_STATES, PENDING_GRACE_MS, type Tracked } from './trackedTask';

export class CeleryRunTracker {
  private readonly byCelery = new Map<string, Tracked>();
  private readonly byPlan = new Map<string, Tracked>();
  /** Epoch ms of the last event that changed the run (quiet-period completion). */
  lastProgress: number;
  finished = false;
  /** Epoch ms of the latest task end seen (the run's end: makespan). */
  private lastEndMs: number | undefined;

  constructor(
    readonly plan: RunPlan,
    readonly ids: CeleryIdMap,
    readonly startedMs: number,
    readonly catalogue?: TaskCatalogue,
  ) {
    for (const t of plan.tasks) {
      const listed = t.origin === 'canvas';
      const tr: Tracked = { task: t, received: 0, started: 0, retried: 0, seen: false, listed };
      this.byCelery.set(ids.taskId(t), tr);
      this.byPlan.set(t.id, tr);
    }
    this.lastProgress = startedMs;
  }

  /** Run-relative ms (what run events carry) of the epoch ms `ms`. */
  at(ms: number): number {
    return Math.max(0, Math.round(ms - this.startedMs));
  }

  /** `run.started` with every task of the plan, then `task.queued` for the messages Chordflow sent. */
  start(
    name: string,
    sentTaskIds: string[],
    etas: Record<string, number | undefined> = {},
  ): UnsequencedRunEvent[] {
    const run_id = this.plan.run_id;
    const tasks = this.plan.tasks
      .filter((t) => t.origin === 'canvas')
      .map((t) => ({
        task_id: t.id,
        name: t.name,
        origin: t.origin,
        path: t.path,
      }));
    const out: UnsequencedRunEvent[] = [{ type: 'run.started', run_id, at: 0, tasks, name }];
    for (const cid of sentTaskIds) {
      const tr = this.byCelery.get(cid);
      if (!tr) continue;
      const ev: UnsequencedRunEvent = {
        type: 'task.queued',
        run_id,
        at: 0,
        task_id: tr.task.id,
        name: tr.task.name,
        attempt: 1,
      };
      const eta = etas[cid];
      if (eta !== undefined) ev.eta_ms = this.at(eta);
      out.push(ev);
    }
    return out;
  }

  /** Celery ids the run still waits for (result channels to watch, records to poll). */
  openIds(): string[] {
    const out: string[] = [];
    for (const [cid, tr] of this.byCelery) if (!tr.final) out.push(cid);
    return out;
  }

  /** True while a task of the run was received, started or is waiting for a retry, and is not final. */
  inFlight(): boolean {
    for (const tr of this.byCelery.values()) {
      if (tr.final) continue;
      if (tr.received > 0 || tr.started > 0 || tr.retried > 0 || tr.pending) return true;
    }
    return false;
  }

  /**
   * Every listed task has a final state and no callback/errback can still come (a plan with callbacks or
   * errbacks ends by the quiet rule instead: Celery may send them after the last record).
   */
  allFinal(): boolean {
    for (const tr of this.byCelery.values()) if (!tr.final && (tr.listed || tr.received > 0)) return false;
    for (const tr of this.byCelery.values()) if (!tr.listed) return false;
    return true;
  }

  /** Every listed task is final (the quiet rule's precondition). */
  listedFinal(): boolean {
    for (const tr of this.byCelery.values()) if (tr.listed && !tr.final) return false;
    return true;
  }

  /** `task.added` the first time Celery shows a callback/errback (SPEC 2.3: dispatched ones are listed). */
  private listIfNew(tr: Tracked, atMs: number): UnsequencedRunEvent[] {
    if (tr.listed) return [];
    tr.listed = true;
    const t = tr.task;
    const task = { task_id: t.id, name: t.name, origin: t.origin, path: t.path };
    return [{ type: 'task.added', run_id: this.plan.run_id, at: this.at(atMs), task }];
  }

  /** One Celery event (already split out of its batch). */
  onEvent(e: CeleryEvent): UnsequencedRunEvent[] {
    const tr = typeof e.uuid === 'string' ? this.byCelery.get(e.uuid) : undefined;
    if (!tr || tr.final) return [];
    const ms = (e.timestamp ?? 0) * 1000;
    tr.seen = true;
    this.lastProgress = Math.max(this.lastProgress, ms);
    const added = this.listIfNew(tr, ms);
    const more = this.taskEvent(tr, e, ms);
    const out = added.length === 0 ? more : [...added, ...more];
    // A waiting final record is settled by its own attempt's start or end event.
    const closing = tr.retried + 1 + (tr.pendingRetry ? 1 : 0);
    const settles =
      (e.type === 'task-started' && tr.started >= closing) ||
      e.type === 'task-succeeded' ||
      e.type === 'task-failed';
    if (tr.pending && settles && !tr.deferredStart) {
      const { rec, since } = tr.pending;
      tr.pending = undefined;
      out.push(...resolveRetry(this, tr), ...this.recordEvents(tr, rec, since));
    }
    return out;
  }

  /** Final records whose events did not come within the grace period: applied as they are. */
  flushPending(nowMs: number, graceMs = PENDING_GRACE_MS): UnsequencedRunEvent[] {
    const out: UnsequencedRunEvent[] = [];
    for (const tr of this.byCelery.values()) {
      if (tr.pendingRetry && !tr.final && nowMs - tr.pendingRetry.since >= graceMs)
        out.push(...resolveRetry(this, tr));
      if (tr.deferredStart && !tr.final && !tr.pendingRetry && nowMs - tr.deferredStart.ms >= graceMs)
        out.push(...closeWithoutRecord(this, tr));
      if (!tr.pending || tr.final || nowMs - tr.pending.since < graceMs) continue;
      const { rec, since } = tr.pending;
      tr.pending = undefined;
      out.push(...resolveRetry(this, tr), ...this.recordEvents(tr, rec, since));
    }
    return out;
  }

  /** True while final records wait for their events. */
  hasPending(): boolean {
    for (const tr of this.byCelery.values()) if ((tr.pending || tr.deferredStart) && !tr.final) return true;
    return false;
  }

  private taskEvent(tr: Tracked, e: CeleryEvent, ms: number): UnsequencedRunEvent[] {
    const run_id = this.plan.run_id;
    switch (e.type) {
      case 'task-received': {
        const attempt = (typeof e.retries === 'number' ? e.retries : 0) + 1;
        if (attempt <= tr.received) return [];
        const out: UnsequencedRunEvent[] = [];
        // The re-sent message of a retry is received before the worker's task-retried (celery-wire.md 4.4).
        const eta = typeof e.eta === 'string' ? Date.parse(e.eta) : Number.NaN;
        if (attempt > 1 && tr.retried < attempt - 1) {
          const countdown_ms = Number.isFinite(eta) ? Math.max(0, eta - ms) : undefined;
          tr.retryEvent = { attempt: attempt - 1, at: ms, countdown_ms };
          if (Number.isFinite(eta)) tr.retryEvent.eta = eta;
        }
        tr.received = attempt;
        tr.receivedAt = Number.isFinite(eta) ? Math.max(ms, eta) : ms;
        if (tr.pendingRetry && tr.retryEvent?.attempt === attempt - 1) out.push(...resolveRetry(this, tr));
        if (typeof e.hostname === 'string') tr.worker = e.hostname;
        if (attempt === 1 && tr.started === 0) {
          const ev: UnsequencedRunEvent = {
            type: 'task.queued',
            run_id,
            at: this.at(ms),
            task_id: tr.task.id,
            name: tr.task.name,
            attempt,
          };
          if (Number.isFinite(eta)) ev.eta_ms = this.at(eta);
          out.push(ev);
        }
        return out;
      }
      case 'task-started': {
        // A start after a RETRY record of an attempt already started is the next attempt's, even when
        // the re-sent message's task-received was lost (threads pool).
        const next = tr.pendingRetry && tr.started >= tr.retried + 1 ? tr.retried + 2 : 0;
        const attempt = Math.max(tr.received, tr.retried + 1, next);
        if (tr.started >= attempt) return [];
        const out: UnsequencedRunEvent[] = [];
        if (tr.pendingRetry && tr.retried < attempt - 1)
          out.push(...resolveRetry(this, tr, tr.retried === attempt - 2 ? ms : undefined));
        if (attempt > 1 && tr.retried < attempt - 1) {
          // The previous attempt's RETRY record has not come yet (records and events ride different
          // connections): hold this start until it does, or until the grace period ends.
          const worker = typeof e.hostname === 'string' ? e.hostname : undefined;
          tr.deferredStart = { attempt, ms, ...(worker ? { worker } : {}) };
          return out;
        }
        out.push(startEvent(this, tr, attempt, ms, typeof e.hostname === 'string' ? e.hostname : undefined));
        return out;
      }
      case 'task-retried': {
        // Only for the running attempt: its record may have closed it already (records are not batched).
        if (tr.started === 0 || tr.retried >= tr.started) return [];
        const cd = retryCountdownMs(typeof e.traceback === 'string' ? e.traceback : undefined);
        const same = tr.retryEvent?.attempt === tr.started ? tr.retryEvent : undefined;
        tr.retryEvent = { attempt: tr.started, at: ms, countdown_ms: cd ?? same?.countdown_ms };
        if (same?.eta !== undefined) tr.retryEvent.eta = same.eta;
        // Not resolved here: the event is stamped when the worker's handler ran (late under load); the
        // re-sent message's ETA, received just before or after, dates the retry exactly.
        return [];
      }
      case 'task-succeeded':
      case 'task-failed':
        tr.endedAt = ms;
        return [];
      default:
        return [];
    }
  }

  /** One result record (pub/sub or polled); `nowMs` stands in for times the record does not carry. */
  onRecord(rec: ResultRecord, nowMs: number): UnsequencedRunEvent[] {
    const tr = this.byCelery.get(rec.task_id);
    if (!tr || tr.final) return [];
    const added = this.listIfNew(tr, nowMs);
    if (FINAL_STATES.has(rec.status) && rec.status !== 'REVOKED') {
      // The attempt this record ends (after a retry still waiting for its date) has no start yet: wait
      // for the batched events (see `pending`).
      const closing = tr.retried + 1 + (tr.pendingRetry ? 1 : 0);
      if (tr.started < closing && !tr.endedAt) {
        tr.pending ??= { rec, since: nowMs };
        return added;
      }
    }
    const more = [...resolveRetry(this, tr), ...this.recordEvents(tr, rec, nowMs)];
    return added.length === 0 ? more : [...added, ...more];
  }

  private recordEvents(tr: Tracked, rec: ResultRecord, nowMs: number): UnsequencedRunEvent[] {
    const run_id = this.plan.run_id;
    const tx = (s: string) => this.ids.translate(s);
    this.lastProgress = Math.max(this.lastProgress, nowMs);
    if (rec.status === 'RETRY') {
      const attempt = tr.retried + 1;
      if (typeof rec.retries === 'number' && rec.retries + 1 < attempt) return [];
      tr.seen = true;
      tr.pendingRetry = { rec, since: nowMs };
      // Dated by the re-sent message's ETA (its task-received); events come in batches.
      const ev = tr.retryEvent;
      return ev?.attempt === attempt && ev.eta !== undefined ? resolveRetry(this, tr) : [];
    }
    if (!FINAL_STATES.has(rec.status)) return [];
    const out: UnsequencedRunEvent[] = [];
    let endMs = tr.endedAt ?? doneAtMs(rec) ?? nowMs;
    this.lastEndMs = Math.max(this.lastEndMs ?? endMs, endMs);
    if (rec.status === 'REVOKED') {
      tr.final = { state: 'REVOKED', error: recordError(rec, tx) };
      out.push({ type: 'task.revoked', run_id, at: this.at(endMs), task_id: tr.task.id, reason: 'revoked' });
      return out;
    }
    const ran = tr.received > 0 || tr.started > 0 || (typeof rec.worker === 'string' && rec.worker !== '');
    const marked = rec.status === 'FAILURE' && !ran;
    const attempt = tr.retried + 1;
    if (!marked && tr.started < attempt)
      out.push(startEvent(this, tr, attempt, Math.min(receivedAt(tr, attempt) ?? endMs, endMs)));
    // Event and record times come from different calls of the worker's clock: keep end >= start.
    if (!marked) endMs = Math.max(endMs, tr.startedAtMs ?? endMs);
    tr.seen = true;
    if (rec.status === 'SUCCESS') {
      const result = rec.result as Json;
      tr.final = { state: 'SUCCESS', result };
      out.push({ type: 'task.succeeded', run_id, at: this.at(endMs), task_id: tr.task.id, attempt, result });
    } else {
      const error = recordError(rec, tx);
      tr.final = { state: 'FAILURE', error };
      const ev: UnsequencedRunEvent = marked
        ? {
            type: 'task.failed',
            run_id,
            at: this.at(endMs),
            task_id: tr.task.id,
            attempt: 0,
            error,
            marked: true,
          }
        : { type: 'task.failed', run_id, at: this.at(endMs), task_id: tr.task.id, attempt, error };
      out.push(ev);
    }
    return out;
  }

  /** `run.finished` from the finals seen, by the core's own rule for the run root (lib/engine/barrier.ts). */
  finish(nowMs: number): UnsequencedRunEvent[] {
    const endMs = this.lastEndMs ?? nowMs;
    const marks = chainRemainderMarks(this.plan, this.byPlan, this.at(endMs));
    this.finished = true;
    const finals = (id: string) => this.byPlan.get(id)?.final;
    const root = this.plan.barriers[0];
    const step = onBarrierReleased(
      this.plan,
      { kind: 'barrier', key: root?.key ?? '', run_id: this.plan.run_id, barrier: 0, total: 0 },
      finals,
      { now: this.at(endMs) },
    );
    return [...marks, ...step.events.filter((e) => e.type === 'run.finished')];
  }

  /** Revokes every open task (cancel): `task.revoked` for each and `run.finished` canceled. */
  cancel(nowMs: number): UnsequencedRunEvent[] {
    const out: UnsequencedRunEvent[] = [];
    const at = this.at(nowMs);
    for (const tr of this.byCelery.values()) {
      if (tr.final || !tr.listed) continue;
      tr.final = { state: 'REVOKED' };
      out.push({
        type: 'task.revoked',
        run_id: this.plan.run_id,
        at,
        task_id: tr.task.id,
        reason: 'canceled',
      });
    }
    this.finished = true;
    out.push({ type: 'run.finished', run_id: this.plan.run_id, at, status: 'canceled' });
    return out;
  }
}
