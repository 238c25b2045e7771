/**
 * Submitting, canceling and relaunching runs on the cluster (used by the REST API and `chordflow run`).
 * A run is planned once (`planRun`), its plan stored with the run record, then `startRun`'s first
 * dispatch: the root's members (and nested chords' headers) are registered in the run's barrier hash
 * first (barrier.ts; by the script that creates the run, a big root in chunks after it), then their jobs
 * are added in batches — nothing can release the root before every
 * member is registered, however big the root and however fast its first jobs finish.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { toCanvasJson } from '../../lib/canvas/canvasJson';
import type { TaskCatalogue } from '../../lib/canvas/catalogue';
import { API_LIMITS, type CanvasLimits, readCanvasValue } from '../../lib/canvas/gate';
import type { CanvasFile, CanvasNode, Json } from '../../lib/canvas/model';
import { countPayloadTakers, payloadCopyProblem, withPayload } from '../../lib/canvas/payload';
import { SHOWN_PROBLEMS } from '../../lib/canvas/problems';
import { validateCanvas } from '../../lib/canvas/validate';
import { planRun, startRun } from '../../lib/engine';
import type { Dispatch, RunPlan, TaskFinal } from '../../lib/engine/types';
import type { UnsequencedRunEvent } from '../../lib/protocol/events';
import { planQueues } from '../ops/queueCheck';
import { injectPayload, PayloadCopiesError } from '../runs/definitions';
import { type DirectorStatus, type RunRecord, RunStore, StoreBatch } from '../runs/runStore';
import { Barriers, REGISTER_CHUNK, registrations } from './barrier';
import { applyStep } from './interpreter';
import { Dispatcher, type DispatcherOptions } from './queues';
import { RunCleanup } from './runCleanup';
import { TurnPacer } from './turnPacer';

/**
 * Submits planned per event-loop turn in a burst (turnPacer.ts): ~4 ms of planning for small runs, so
 * their records and jobs reach Redis while the next ones are planned. In an interleaved A/B of 1,000
 * small chord runs (same process, 8 rounds each) paced bursts finished ~10 % sooner (median).
 */
export const SUBMITS_PER_TURN = 32;

/** Most problems a 400 answer lists (`errors`); `error_count` says how many there were in all. */
export const LISTED_PROBLEMS = 100;

/**
 * A request the caller got wrong (→ 400 / exit 1), with a sentence saying what to fix. A hostile canvas
 * may have 100,000 problems: the sentence names the first `SHOWN_PROBLEMS`, `problems` keeps the first
 * `LISTED_PROBLEMS`, `problemCount` counts them all.
 */
export class SubmitError extends Error {
  readonly problems: string[];
  readonly problemCount: number;

  constructor(message: string, problems: readonly string[] = [], problemCount = problems.length) {
    super(message);
    this.name = 'SubmitError';
    this.problems = problems.slice(0, LISTED_PROBLEMS);
    this.problemCount = Math.max(problemCount, this.problems.length);
  }

  /** `<what>: <first problems> … and M more problems.` with the problems listed. */
  static invalid(what: string, problems: readonly string[]): SubmitError {
    const rest = problems.length - SHOWN_PROBLEMS;
    const more =
      rest > 0 ? ` … and ${rest.toLocaleString('en-US')} more problem${rest === 1 ? '' : 's'}.` : '';
    return new SubmitError(`${what}: ${problems.slice(0, SHOWN_PROBLEMS).join(' ')}${more}`, problems);
  }
}

/** `"a", "b", … and 12 more` of many names (a canvas may name 100,000 unknown tasks). */
function someNames(names: readonly string[]): string {
  const shown = names
    .slice(0, SHOWN_PROBLEMS)
    .map((n) => `"${n}"`)
    .join(', ');
  const rest = names.length - SHOWN_PROBLEMS;
  return rest > 0 ? `${shown} and ${rest.toLocaleString('en-US')} more` : shown;
}

export interface SubmitInput {
  file: CanvasFile;
  name?: string;
  project?: string;
  payload?: Json;
  comment?: string;
  /** Fixed run id (tests, idempotent resubmits); default a fresh UUID. */
  runId?: string;
  /** Started by a periodic schedule. */
  periodic?: boolean;
  /** Called with the frozen plan before it is stored (the API checks its queues against live workers). */
  onPlanned?: (plan: RunPlan) => void;
}

function collectTaskNames(node: CanvasNode, out: Set<string>): void {
  const children: CanvasNode[] = [...node.link, ...node.link_error];
  if (node.type === 'task') out.add(node.task);
  else if (node.type === 'chord') children.push(...node.header, node.body);
  else children.push(...node.tasks);
  for (const c of children) collectTaskNames(c, out);
}

export class ClusterClient {
  readonly store: RunStore;
  private readonly batch: StoreBatch;
  readonly dispatcher: Dispatcher;
  private readonly barriers: Barriers;
  private readonly cleanup: RunCleanup;
  private readonly queueConnection: Redis;
  /** Runs planned per event-loop turn in a burst of submits (turnPacer.ts). */
  private readonly pacer = new TurnPacer(SUBMITS_PER_TURN);

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly catalogue: TaskCatalogue,
    /** How jobs are added: per Redis round trip (`batch`, default 500), small headers bundled (see Dispatcher). */
    dispatch: DispatcherOptions = {},
  ) {
    this.store = new RunStore(redis, prefix);
    this.batch = new StoreBatch(this.store);
    // BullMQ gets its own connection: it defines dozens of scripts on the connection it uses, and
    // ioredis copies them all into every pipeline the run store then creates on it.
    this.queueConnection = redis.duplicate();
    this.queueConnection.on('error', (err: Error) => redis.emit('error', err));
    this.dispatcher = new Dispatcher(this.queueConnection, prefix, dispatch);
    this.barriers = new Barriers(redis, prefix);
    this.cleanup = new RunCleanup(redis, prefix);
  }

  /** Caps for canvases from outside (the API sets CHORDFLOW_MAX_DEPTH / CHORDFLOW_MAX_TASKS here). */
  limits: CanvasLimits = API_LIMITS;

  /**
   * Parses untrusted Canvas JSON (node or file) through the canvas gate (depth, size, names, numbers);
   * SubmitError with every problem otherwise.
   */
  parseCanvas(value: unknown): CanvasFile {
    const parsed = readCanvasValue(value, this.limits);
    if (!parsed.ok) {
      const problems = parsed.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
      throw SubmitError.invalid('The canvas is not valid', problems);
    }
    return parsed.value;
  }

  /**
   * A `{canvas, payload}` body's canvas: through the canvas gate first, then, as `chordflow run --payload`
   * and director do, the payload written into every task that takes one (a null payload writes nothing).
   * SubmitError when its copies would make the run too big (`payloadCopyProblem`).
   */
  canvasWithPayload(canvas: unknown, payload: Json | undefined): CanvasFile {
    const file = this.parseCanvas(canvas);
    if (payload === undefined || payload === null) return file;
    const problem = payloadCopyProblem(payload, countPayloadTakers(file.canvas, this.catalogue));
    if (problem !== undefined) throw SubmitError.invalid('The payload cannot go into this canvas', [problem]);
    return withPayload(file, payload, this.catalogue);
  }

  plan(file: CanvasFile, runId: string, epochMs?: number): RunPlan {
    const names = new Set<string>();
    collectTaskNames(file.canvas, names);
    const unknown = [...names].filter((n) => !this.catalogue.has(n));
    if (unknown.length > 0) {
      throw new SubmitError(
        `Unknown task${unknown.length > 1 ? 's' : ''} ${someNames(unknown)}: register ${unknown.length > 1 ? 'them' : 'it'} in the tasks directory or use a built-in task.`,
      );
    }
    // The editor's and `chordflow validate`'s rules hold for every submit: a retry delay of 1e300 s or a
    // hard limit below the soft one would otherwise be accepted and leave a run that looks alive forever.
    const errors = validateCanvas(file, this.catalogue).filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      const problems = errors.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
      throw SubmitError.invalid('The canvas is not valid', problems);
    }
    try {
      return planRun(file, this.catalogue, runId, epochMs === undefined ? {} : { epoch_ms: epochMs });
    } catch (err) {
      throw new SubmitError(err instanceof Error ? err.message : String(err));
    }
  }

  async submit(input: SubmitInput): Promise<RunRecord> {
    const turn = this.pacer.admit();
    if (turn) await turn;
    const runId = input.runId ?? randomUUID();
    const now = new Date();
    // The run's clock starts now: absolute eta/expires options are placed on it.
    const plan = this.plan(input.file, runId, now.getTime());
    input.onPlanned?.(plan);
    const record: RunRecord = {
      id: runId,
      name: input.name ?? 'adhoc',
      project: input.project ?? 'canvas',
      status: 'pending',
      payload: input.payload ?? null,
      canvas: toCanvasJson(input.file),
      created: now.toISOString(),
      updated: now.toISOString(),
      started_ms: now.getTime(),
      ...(input.comment !== undefined ? { comment: input.comment } : {}),
      ...(input.periodic ? { periodic: true } : {}),
    };
    // Everything that can refuse the input runs before the first write (nothing half-made in Redis).
    const step = startRun(plan, 0);
    // The record, the index entry and run.started with the task.queued events: one round trip (unless
    // the start already has finals or chord reports, which must be written before the events). The
    // same script registers the root's members in the run's barrier hash (a big root: `register`, in
    // chunks), so every member is registered before any of their jobs exists.
    const fold = step.finals.length === 0 && step.reports.length === 0;
    const regs = registrations(step.dispatch);
    const inline = regs.pairs.length <= 2 * REGISTER_CHUNK;
    const createdReleased = await this.store.createRegistered(
      record,
      plan,
      fold ? step.events : [],
      inline ? regs : undefined,
    );
    if (!createdReleased) {
      const existing = await this.store.getRun(runId);
      if (existing) return existing;
    }
    const ctx = {
      plan,
      startedMs: record.started_ms,
      barrierTotals: new Map(plan.barriers.map((b) => [b.key, b.total])),
    };
    // The run stays `pending` until a worker starts its first task (director's statuses: a run nobody
    // works on is pending); the worker's conditional write can never overwrite a final status.
    const dispatcher = {
      // Called once, with `step.dispatch` (the registrations above).
      dispatch: async (p: RunPlan, dispatches: readonly Dispatch[]) => {
        const released =
          inline && createdReleased ? createdReleased : await this.barriers.register(runId, dispatches);
        await this.dispatcher.dispatch(p, dispatches);
        // A chord with an empty header is released at once: by a `barriers` job, since no job sent it.
        for (const key of released) {
          const index = p.barriers.findIndex((b) => b.key === key);
          const b = p.barriers[index];
          if (b)
            await this.dispatcher.addBarrierJob(p, {
              kind: 'barrier',
              key,
              run_id: runId,
              barrier: index,
              total: b.total,
            });
        }
      },
    };
    await applyStep(this.batch, dispatcher, ctx, fold ? { ...step, events: [] } : step, 0);
    // Named queues are remembered so /metrics shows their depth even when no worker consumes them
    // (a run waiting for a `gpu` worker); default-queue runs cost nothing here.
    const named = [...planQueues(plan).keys()].filter((q) => q !== 'default');
    if (named.length > 0) await this.store.redis.sadd(this.store.keys.queues, ...named);
    return record;
  }

  /**
   * A new run of the same canvas. With `payload` (an edited input) it goes into every task that takes
   * one, as when the run was first submitted; otherwise the run's own payload is kept.
   */
  async relaunch(runId: string, payload?: Json): Promise<RunRecord | undefined> {
    const run = await this.store.getRun(runId);
    if (!run) return undefined;
    let source = run.canvas;
    try {
      if (payload !== undefined) source = injectPayload(run.canvas as Json, payload, this.catalogue);
    } catch (err) {
      if (err instanceof PayloadCopiesError)
        throw SubmitError.invalid('The payload cannot go into this canvas', [err.message]);
      throw err;
    }
    const file = this.parseCanvas(source);
    return this.submit({
      file,
      name: run.name,
      project: run.project,
      payload: payload ?? (run.payload as Json),
      ...(run.comment !== undefined ? { comment: run.comment } : {}),
    });
  }

  /**
   * Cancels a run: marks it (workers skip its jobs and abort its running tasks through pub/sub), records
   * `task.revoked` for every task without a final state and `run.finished` canceled, removes waiting jobs.
   */
  async cancel(runId: string): Promise<RunRecord | undefined> {
    const run = await this.store.getRun(runId);
    if (!run) return undefined;
    if (run.status === 'canceled') return run;
    if (run.status === 'success' || run.status === 'error') {
      // Director cancels whatever the state: a finished run becomes `canceled`, its tasks keep theirs.
      await this.store.setStatus(runId, 'canceled');
      return { ...run, status: 'canceled' };
    }
    await this.store.markCanceled(runId);
    const plan = await this.store.getPlan<RunPlan>(runId);
    const finals = await this.store.getTaskStates<TaskFinal>(runId);
    const at = Date.now() - run.started_ms;
    const events: UnsequencedRunEvent[] = [];
    for (const t of plan?.tasks ?? []) {
      if (!finals.has(t.id))
        events.push({ type: 'task.revoked', run_id: runId, at, task_id: t.id, reason: 'canceled' });
    }
    events.push({ type: 'run.finished', run_id: runId, at, status: 'canceled' });
    await this.store.appendEvents(runId, events);
    await this.store.setStatus(runId, 'canceled');
    // Waiting and delayed jobs go now; running ones finish as no-ops and go with the next sweep.
    await this.cleanup.clean(runId).catch(() => false);
    await this.cleanup.ended(runId, 5000);
    return { ...run, status: 'canceled' as DirectorStatus };
  }

  /** Waits until the run reaches a final status (polling the record), or the timeout. */
  async waitFinished(runId: string, timeoutMs: number): Promise<RunRecord | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.store.getStatus(runId);
      if (!status) return undefined;
      if (status === 'success' || status === 'error' || status === 'canceled' || Date.now() > deadline) {
        return this.store.getRun(runId);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
    this.queueConnection.disconnect();
  }
}
