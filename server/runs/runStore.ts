/**
 * The run store in Redis: run records, the ordered per-run event log, task states, observations and
 * the runs index. Hot-path writes from workers go through `StoreBatch` (one pipeline per event-loop
 * turn for every job that finishes in it), reads are plain commands.
 */
import type { Redis } from 'ioredis';
import type { RunEvent, UnsequencedRunEvent } from '../../lib/protocol/events';
import { type Keys, keysFor } from './keys';

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
}

/** Appends events atomically: RPUSH numbers them (seq = list index + 1), then one PUBLISH per batch. */
const APPEND_EVENTS_LUA = `
local n = redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
local first = n - (#ARGV - 1) + 1
redis.call('PUBLISH', KEYS[2], '{"run_id":"' .. ARGV[1] .. '","first_seq":' .. first .. ',"events":[' .. table.concat(ARGV, ',', 2) .. ']}')
return first
`;

/**
 * Counts one chord header report and appends the `chord.progress` event in the same script, so `done`
 * values in the log are increasing. ARGV: run id, barrier key, initial total, grow, at, chord_id (JSON).
 */
const CHORD_PROGRESS_LUA = `
local done = redis.call('HINCRBY', KEYS[1], ARGV[2] .. '|d', 1)
local total = redis.call('HINCRBY', KEYS[1], ARGV[2] .. '|g', tonumber(ARGV[4])) + tonumber(ARGV[3])
local ev = '{"type":"chord.progress","at":' .. ARGV[5] .. ',"chord_id":' .. ARGV[6] .. ',"done":' .. done .. ',"total":' .. total .. '}'
local n = redis.call('RPUSH', KEYS[2], ev)
redis.call('PUBLISH', KEYS[3], '{"run_id":"' .. ARGV[1] .. '","first_seq":' .. n .. ',"events":[' .. ev .. ']}')
return n
`;

type AppendClient = Redis & {
  chordflowAppendEvents(
    eventsKey: string,
    channel: string,
    runId: string,
    ...events: string[]
  ): Promise<number>;
  chordflowProgress(
    progressKey: string,
    eventsKey: string,
    channel: string,
    runId: string,
    barrierKey: string,
    initialTotal: number,
    grow: number,
    at: number,
    chordIdJson: string,
  ): Promise<number>;
};

function withScripts(redis: Redis): AppendClient {
  const r = redis as AppendClient;
  if (typeof r.chordflowAppendEvents !== 'function') {
    redis.defineCommand('chordflowAppendEvents', { numberOfKeys: 2, lua: APPEND_EVENTS_LUA });
    redis.defineCommand('chordflowProgress', { numberOfKeys: 3, lua: CHORD_PROGRESS_LUA });
  }
  return r;
}

/** An event to append: `seq` is assigned by the log, `run_id` is optional (the log belongs to one run). */
type WithoutRunId<T> = T extends unknown ? Omit<T, 'run_id'> : never;
export type EventInput = UnsequencedRunEvent | WithoutRunId<UnsequencedRunEvent>;

/** Strips `run_id`/`seq` so stored events stay small; they are added back when read. */
function encodeEvent(event: EventInput): string {
  const { run_id: _r, ...rest } = event as UnsequencedRunEvent;
  return JSON.stringify(rest);
}

const CHUNK = 1000;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
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

export class RunStore {
  readonly keys: Keys;
  readonly redis: AppendClient;

  constructor(redis: Redis, prefix: string) {
    this.redis = withScripts(redis);
    this.keys = keysFor(prefix);
  }

  /** Creates the run record; false when a run with this id already exists (duplicate submit). */
  async createRun(record: RunRecord, plan: unknown): Promise<boolean> {
    const key = this.keys.run(record.id);
    const created = await this.redis.hsetnx(key, 'id', record.id);
    if (created === 0) return false;
    await this.redis
      .multi()
      .hset(key, {
        name: record.name,
        project: record.project,
        status: record.status,
        payload: JSON.stringify(record.payload ?? null),
        canvas: JSON.stringify(record.canvas ?? null),
        plan: JSON.stringify(plan),
        created: record.created,
        updated: record.updated,
        started_ms: String(record.started_ms),
        ...(record.comment !== undefined ? { comment: record.comment } : {}),
      })
      .zadd(this.keys.runs, Date.parse(record.created), record.id)
      .exec();
    return true;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    // Never HGETALL: the record holds the (possibly megabytes large) plan.
    const fields = [
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
    ] as const;
    const values = await this.redis.hmget(this.keys.run(id), ...fields);
    const h: Partial<Record<(typeof fields)[number], string>> = {};
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
    };
  }

  async getStatus(id: string): Promise<DirectorStatus | undefined> {
    return ((await this.redis.hget(this.keys.run(id), 'status')) ?? undefined) as DirectorStatus | undefined;
  }

  async getPlan<T>(id: string): Promise<T | undefined> {
    const raw = await this.redis.hget(this.keys.run(id), 'plan');
    return raw ? (JSON.parse(raw) as T) : undefined;
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

  async getTaskStates<T>(runId: string, ids?: string[]): Promise<Record<string, T>> {
    const out: Record<string, T> = {};
    if (ids) {
      if (ids.length === 0) return out;
      const values = await this.redis.hmget(this.keys.tasks(runId), ...ids);
      ids.forEach((id, i) => {
        const v = values[i];
        if (v) out[id] = JSON.parse(v) as T;
      });
      return out;
    }
    const all = await this.redis.hgetall(this.keys.tasks(runId));
    for (const [id, v] of Object.entries(all)) out[id] = JSON.parse(v) as T;
    return out;
  }

  async listRuns(query: ListRunsQuery = {}): Promise<{ runs: RunRecord[]; total: number }> {
    const page = Math.max(1, query.page ?? 1);
    const perPage = Math.min(1000, Math.max(1, query.perPage ?? 100));
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
    const runs = await Promise.all(ids.map((id) => this.getRun(id)));
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

/**
 * Group commit for the hot path: every job finishing in the same event-loop turn shares one pipeline,
 * and within it the event appends of one run are merged into one script call and its task states into
 * one HSET. `flush` resolves once the pipeline that carried the writes has been executed, so a job
 * completes (and may release its barrier) only after its state is in Redis.
 */
type BatchOp =
  | { kind: 'events'; runId: string; encoded: string[] }
  | { kind: 'states'; runId: string; fields: string[] }
  | { kind: 'progress'; runId: string; args: [string, number, number, number, string] }
  | { kind: 'run'; runId: string; fields: Record<string, string> };

export class StoreBatch {
  private pending: BatchOp[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  constructor(private readonly store: RunStore) {}

  appendEvents(runId: string, events: EventInput[]): void {
    if (events.length === 0) return;
    this.pending.push({ kind: 'events', runId, encoded: events.map(encodeEvent) });
  }

  chordProgress(
    runId: string,
    barrierKey: string,
    chordId: string,
    initialTotal: number,
    grow: number,
    at: number,
  ): void {
    this.pending.push({
      kind: 'progress',
      runId,
      args: [barrierKey, initialTotal, grow, Math.round(at), JSON.stringify(chordId)],
    });
  }

  setTaskStates(runId: string, states: Record<string, unknown>): void {
    const fields: string[] = [];
    for (const [id, st] of Object.entries(states)) fields.push(id, JSON.stringify(st));
    if (fields.length > 0) this.pending.push({ kind: 'states', runId, fields });
  }

  setRunFields(runId: string, fields: Record<string, string>): void {
    this.pending.push({ kind: 'run', runId, fields });
  }

  /** Resolves when everything added so far is written. */
  flush(): Promise<void> {
    if (this.pending.length === 0 && this.waiters.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.run());
    }
    return done;
  }

  private build(ops: BatchOp[]): ReturnType<Redis['pipeline']> {
    const k = this.store.keys;
    const p = this.store.redis.pipeline();
    const client = p as unknown as AppendClient;
    const events = new Map<string, string[]>();
    const states = new Map<string, string[]>();
    const runFields: BatchOp[] = [];
    const flushEvents = (runId: string) => {
      const buf = events.get(runId);
      if (!buf || buf.length === 0) return;
      for (const chunk of chunks(buf))
        client.chordflowAppendEvents(k.events(runId), k.eventsChannel, runId, ...chunk);
      events.delete(runId);
    };
    for (const op of ops) {
      if (op.kind === 'events') {
        const buf = events.get(op.runId);
        if (buf) for (const e of op.encoded) buf.push(e);
        else events.set(op.runId, [...op.encoded]);
      } else if (op.kind === 'states') {
        const buf = states.get(op.runId);
        if (buf) for (const f of op.fields) buf.push(f);
        else states.set(op.runId, [...op.fields]);
      } else if (op.kind === 'progress') {
        // Keeps the log order: the run's earlier events first, then this progress event.
        flushEvents(op.runId);
        client.chordflowProgress(
          k.progress(op.runId),
          k.events(op.runId),
          k.eventsChannel,
          op.runId,
          ...op.args,
        );
      } else runFields.push(op);
    }
    for (const [runId, fields] of states) p.hset(k.tasks(runId), ...fields);
    for (const runId of [...events.keys()]) flushEvents(runId);
    for (const op of runFields) if (op.kind === 'run') p.hset(k.run(op.runId), op.fields);
    return p;
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    const ops = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      if (ops.length > 0) {
        const results = await this.build(ops).exec();
        const failed = results?.find(([err]) => err);
        if (failed?.[0]) throw failed[0];
      }
      for (const w of waiters) w.resolve();
    } catch (err) {
      for (const w of waiters) w.reject(err);
    }
  }
}
