/**
 * The run store in Redis: run records, the ordered per-run event log, task states, observations and
 * the runs index. Hot-path writes from workers go through `StoreBatch` (one pipeline per event-loop
 * turn for every job that finishes in it), reads are plain commands.
 */
import type { Redis } from 'ioredis';
import type { RunEvent } from '../../lib/protocol/events';
import { isConnectionError } from '../redis/monitor';
import { CHUNK, chunks, type EventInput, encodeEvent, packList } from './eventCodec';
import { type Keys, keysFor } from './keys';
import { assemblePlan, PlanGoneError, planFields } from './planParts';
import { type AppendClient, type CreateRequest, type SubmitRegistrations, withScripts } from './storeScripts';
import { TickGroup } from './tickGroup';

export type { EventInput } from './eventCodec';
export { type FlushTail, StoreBatch } from './storeBatch';
export type { AppendClient, SubmitRegistrations } from './storeScripts';

export type DirectorStatus = 'pending' | 'progress' | 'success' | 'error' | 'canceled';

export interface RunRecord {
  id: string;
  name: string;
  project: string;
  status: DirectorStatus;
  payload: unknown;
  canvas: unknown;
  created: string;
  updated: string;
  /** Epoch ms when the run was started (event `at` values are relative to it). */
  started_ms: number;
  comment?: string;
  /** Where the run executes: absent = Chordflow's cluster; `celery` = the user's Celery app (server/celery). */
  target?: 'celery';
  /** For Celery runs: broker/backend (no passwords), queue and the Celery id of every task. */
  celery?: { broker: string; backend: string; queue: string; ids: Record<string, string> };
  /** Started by a periodic schedule (director's `periodic: true`). */
  periodic?: boolean;
}

export function decodeEvents(runId: string, firstSeq: number, raw: string[]): RunEvent[] {
  return raw.map((s, i) => ({ ...(JSON.parse(s) as object), run_id: runId, seq: firstSeq + i }) as RunEvent);
}

export interface ListRunsQuery {
  page?: number;
  perPage?: number;
  status?: string;
  name?: string;
}

/** A grouped read: HMGET of `fields`, or EXISTS when `fields` is null. */
interface ReadRequest {
  key: string;
  fields: string[] | null;
}

/** A grouped call that failed for a reason of its own is tried again per request; Redis away is not. */
const retryAlone = (err: unknown) => !isConnectionError(err);

export class RunStore {
  readonly keys: Keys;
  readonly redis: AppendClient;
  private readonly creates: TickGroup<CreateRequest, -1 | [number, ...string[]]>;
  private readonly reads: TickGroup<ReadRequest, Array<string | null> | number>;

  constructor(redis: Redis, prefix: string) {
    this.redis = withScripts(redis);
    this.keys = keysFor(prefix);
    this.creates = new TickGroup(
      (runs) => {
        const args: string[] = [];
        for (const r of runs) args.push(r.id, r.score, r.fields, r.events, r.members, r.created);
        return this.redis.chordflowCreateRuns(
          this.keys.runs,
          this.keys.eventsChannel,
          this.keys.run(''),
          ...args,
        );
      },
      { max: CHUNK, weight: (r) => r.weight, retryAlone },
    );
    this.reads = new TickGroup(
      (reads) => {
        const keys = reads.map((r) => r.key);
        const args = reads.map((r) => (r.fields ? packList(r.fields) : ''));
        return this.redis.chordflowReadMany(keys.length, ...keys, ...args);
      },
      { max: 2 * CHUNK, weight: (r) => r.fields?.length ?? 1, retryAlone },
    );
  }

  /** HMGET, grouped with the other reads of this turn. */
  private async hmget(key: string, ...fields: string[]): Promise<Array<string | null>> {
    return (await this.reads.call({ key, fields })) as Array<string | null>;
  }

  /** EXISTS, grouped with the other reads of this turn. */
  private async exists(key: string): Promise<boolean> {
    return (await this.reads.call({ key, fields: null })) === 1;
  }

  /**
   * Creates the run record and appends its first `events` (run.started …) in the same round trip; false
   * when a run with this id already exists (duplicate submit: nothing is written).
   */
  async createRun(record: RunRecord, plan: unknown, events: EventInput[] = []): Promise<boolean> {
    return (await this.createRegistered(record, plan, events)) !== undefined;
  }

  /**
   * `createRun` that also registers a submit's root members in the run's barrier hash, in the same script
   * call (storeScripts.ts CREATE_RUNS_LUA; a submit's jobs may be added once it resolved). Resolves to
   * the barriers the registration found releasable (a chord with an empty header), undefined for a
   * duplicate (nothing written, nothing registered).
   */
  async createRegistered(
    record: RunRecord,
    plan: unknown,
    events: EventInput[] = [],
    registrations: SubmitRegistrations = { pairs: [], created: [] },
  ): Promise<string[] | undefined> {
    // Serialized before anything is written: a value that cannot be stored leaves no half-made run.
    const fields: Array<[string, string]> = [
      ['name', record.name],
      ['project', record.project],
      ['status', record.status],
      ['payload', JSON.stringify(record.payload ?? null)],
      ['canvas', JSON.stringify(record.canvas ?? null)],
      ...Object.entries(planFields(plan as object)),
      ['created', record.created],
      ['updated', record.updated],
      ['started_ms', String(record.started_ms)],
    ];
    if (record.comment !== undefined) fields.push(['comment', record.comment]);
    if (record.periodic) fields.push(['periodic', '1']);
    if (record.target !== undefined) fields.push(['target', record.target]);
    if (record.celery !== undefined) fields.push(['celery', JSON.stringify(record.celery)]);
    // The first chunk goes with the record (Lua's unpack is limited); a huge run's rest follows in order.
    const [head = [], ...rest] = chunks(events.map(encodeEvent));
    const first = await this.creates.call({
      weight: head.length + 1 + registrations.pairs.length / 2,
      id: record.id,
      score: String(Date.parse(record.created)),
      fields: packList(fields.flat()),
      events: packList(head),
      members: packList(registrations.pairs),
      created: packList(registrations.created),
    });
    if (first === -1) return undefined;
    for (const chunk of rest)
      await this.redis.chordflowAppendEvents(
        this.keys.events(record.id),
        this.keys.eventsChannel,
        record.id,
        ...chunk,
      );
    return first.slice(1) as string[];
  }

  /**
   * The run record. `{canvas: false}` leaves the canvas out (`null`): a 20,000-task canvas is a
   * megabyte to read and parse, and lists, status checks and cancels never look at it.
   */
  async getRun(id: string, options: { canvas?: boolean } = {}): Promise<RunRecord | undefined> {
    // Never HGETALL: the record holds the (possibly megabytes large) plan.
    const all = [
      'id',
      'name',
      'project',
      'status',
      'payload',
      'canvas',
      'created',
      'updated',
      'started_ms',
      'comment',
      'target',
      'celery',
      'periodic',
    ] as const;
    const fields = options.canvas === false ? all.filter((f) => f !== 'canvas') : all;
    const values = await this.hmget(this.keys.run(id), ...fields);
    const h: Partial<Record<(typeof all)[number], string>> = {};
    fields.forEach((f, i) => {
      const v = values[i];
      if (v !== null && v !== undefined) h[f] = v;
    });
    if (!h.id || !h.created) return undefined;
    return {
      id: h.id,
      name: h.name ?? '',
      project: h.project ?? '',
      status: (h.status ?? 'pending') as DirectorStatus,
      payload: JSON.parse(h.payload ?? 'null'),
      canvas: JSON.parse(h.canvas ?? 'null'),
      created: h.created,
      updated: h.updated ?? h.created,
      started_ms: Number(h.started_ms ?? 0),
      ...(h.comment !== undefined ? { comment: h.comment } : {}),
      ...(h.target === 'celery' ? { target: 'celery' as const } : {}),
      ...(h.celery !== undefined ? { celery: JSON.parse(h.celery) as NonNullable<RunRecord['celery']> } : {}),
      ...(h.periodic === '1' ? { periodic: true } : {}),
    };
  }

  /** Whether run `id` exists (a cheap check: no field of the record is parsed). */
  async hasRun(id: string): Promise<boolean> {
    const [rid, created] = await this.hmget(this.keys.run(id), 'id', 'created');
    return !!rid && !!created;
  }

  async getStatus(id: string): Promise<DirectorStatus | undefined> {
    const [status] = await this.hmget(this.keys.run(id), 'status');
    return (status ?? undefined) as DirectorStatus | undefined;
  }

  /**
   * What a worker needs first of run `id`, in one round trip: the plan's head and slice counts (see
   * planParts.ts), the run's start (epoch ms) and whether it was canceled; undefined without a plan.
   */
  async getRunHead(
    id: string,
  ): Promise<{ plan: string; parts: string | null; startedMs: number; canceled: boolean } | undefined> {
    const [[plan, started, parts], canceled] = await Promise.all([
      this.hmget(this.keys.run(id), 'plan', 'started_ms', 'plan_parts'),
      this.exists(this.keys.cancel(id)),
    ]);
    if (!plan) return undefined;
    return { plan, parts: parts ?? null, startedMs: Number(started ?? 0), canceled };
  }

  /** The run's plan, read and parsed slice by slice (server/runs/planParts.ts). */
  async getPlan<T>(id: string): Promise<T | undefined> {
    const key = this.keys.run(id);
    const [head, parts] = await this.redis.hmget(key, 'plan', 'plan_parts');
    if (!head) return undefined;
    try {
      return (await assemblePlan<T>(this.redis, key, head, parts)).plan;
    } catch (err) {
      if (err instanceof PlanGoneError) return undefined;
      throw err;
    }
  }

  async setStatus(id: string, status: DirectorStatus, now = new Date()): Promise<void> {
    await this.redis.hset(this.keys.run(id), { status, updated: now.toISOString() });
  }

  /** Appends events (in chunks: Lua's unpack is limited to a few thousand values); returns the first seq. */
  async appendEvents(runId: string, events: EventInput[]): Promise<number> {
    let first = 0;
    for (const chunk of chunks(events.map(encodeEvent))) {
      const seq = await this.redis.chordflowAppendEvents(
        this.keys.events(runId),
        this.keys.eventsChannel,
        runId,
        ...chunk,
      );
      if (first === 0) first = seq;
    }
    return first;
  }

  /** Events with seq > `afterSeq`, in order. */
  async readEvents(runId: string, afterSeq = 0): Promise<RunEvent[]> {
    const raw = await this.redis.lrange(this.keys.events(runId), afterSeq, -1);
    return decodeEvents(runId, afterSeq + 1, raw);
  }

  /** Final task states by task id. A Map: task ids are user text (`__proto__` is a valid label). */
  async getTaskStates<T>(runId: string, ids?: string[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (ids) {
      // In slices, one round trip each: a 20,000-task chord's release reads every header result, and the
      // worker's loop (which renews its job locks) runs between slices instead of parsing them in one go.
      for (const slice of chunks(ids)) {
        const values = await this.hmget(this.keys.tasks(runId), ...slice);
        slice.forEach((id, i) => {
          const v = values[i];
          if (v) out.set(id, JSON.parse(v) as T);
        });
      }
      return out;
    }
    // ioredis defines special fields (`__proto__`) as own properties, so Object.entries sees them all.
    const all = await this.redis.hgetall(this.keys.tasks(runId));
    for (const [id, v] of Object.entries(all)) out.set(id, JSON.parse(v) as T);
    return out;
  }

  async listRuns(query: ListRunsQuery = {}): Promise<{ runs: RunRecord[]; total: number }> {
    const page = Math.max(1, query.page ?? 1);
    const perPage = Math.max(1, query.perPage ?? 100);
    const filtered = query.status !== undefined || query.name !== undefined;
    if (!filtered) {
      const total = await this.redis.zcard(this.keys.runs);
      const ids = await this.redis.zrevrange(this.keys.runs, (page - 1) * perPage, page * perPage - 1);
      return { runs: await this.getRuns(ids), total };
    }
    // Filters scan the index newest first in slices; fine for thousands of runs (retention bounds it).
    const matches: RunRecord[] = [];
    const slice = 500;
    for (let start = 0; ; start += slice) {
      const ids = await this.redis.zrevrange(this.keys.runs, start, start + slice - 1);
      if (ids.length === 0) break;
      for (const run of await this.getRuns(ids)) {
        if (query.status !== undefined && run.status !== query.status) continue;
        if (
          query.name !== undefined &&
          run.name !== query.name &&
          `${run.project}.${run.name}` !== query.name
        )
          continue;
        matches.push(run);
      }
    }
    return { runs: matches.slice((page - 1) * perPage, page * perPage), total: matches.length };
  }

  private async getRuns(ids: string[]): Promise<RunRecord[]> {
    const runs = await Promise.all(ids.map((id) => this.getRun(id, { canvas: false })));
    return runs.filter((r): r is RunRecord => r !== undefined);
  }

  async markCanceled(runId: string): Promise<void> {
    await this.redis.multi().set(this.keys.cancel(runId), '1').publish(this.keys.cancelChannel, runId).exec();
  }

  async isCanceled(runId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.cancel(runId))) === 1;
  }

  async deleteRun(runId: string): Promise<void> {
    await this.redis.del(
      this.keys.run(runId),
      this.keys.events(runId),
      this.keys.tasks(runId),
      this.keys.progress(runId),
      this.keys.cancel(runId),
    );
    await this.redis.zrem(this.keys.runs, runId);
  }

  /**
   * Director's per-workflow retention (`retention: {offset: N}`): deletes the finished runs of workflow
   * `fullname` beyond its `keep` newest (runs still pending or in progress are kept). Returns the ids.
   */
  async keepNewest(fullname: string, keep: number): Promise<string[]> {
    const { runs } = await this.listRuns({ name: fullname, perPage: 1_000_000 });
    const deleted: string[] = [];
    for (const run of runs.slice(keep)) {
      if (run.status === 'pending' || run.status === 'progress') continue;
      await this.deleteRun(run.id);
      deleted.push(run.id);
    }
    return deleted;
  }

  /**
   * Retention: deletes finished runs older than `maxAgeDays` and, beyond the newest `maxCount`, the oldest
   * finished ones. Runs still pending or in progress are never deleted. Returns the deleted ids.
   */
  async prune(options: { maxAgeDays: number; maxCount: number; now: number }): Promise<string[]> {
    const deleted: string[] = [];
    const cutoff = options.now - options.maxAgeDays * 86_400_000;
    const old = options.maxAgeDays > 0 ? await this.redis.zrangebyscore(this.keys.runs, '-inf', cutoff) : [];
    const total = await this.redis.zcard(this.keys.runs);
    const excess =
      options.maxCount > 0 && total > options.maxCount
        ? await this.redis.zrange(this.keys.runs, 0, total - options.maxCount - 1)
        : [];
    for (const id of new Set([...old, ...excess])) {
      const status = await this.redis.hget(this.keys.run(id), 'status');
      if (status === 'pending' || status === 'progress') continue;
      await this.deleteRun(id);
      deleted.push(id);
    }
    return deleted;
  }
}
