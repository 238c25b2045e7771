/**
 * The run store in Redis: run records, the ordered per-run event log, task states, observations and
 * the runs index. Hot-path writes from workers go through `StoreBatch` (one pipeline per event-loop
 * turn for every job that finishes in it), reads are plain commands.
 */
import type { Redis } from 'ioredis';
import type { RunEvent } from '../../lib/protocol/events';
import { chunks, type EventInput, encodeEvent } from './eventCodec';
import { type Keys, keysFor } from './keys';
import { assemblePlan, PlanGoneError, planFields } from './planParts';

export type { EventInput } from './eventCodec';
export { StoreBatch } from './storeBatch';

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

/**
 * The hot path's append (StoreBatch): one call per run and flush for the run's events and chord header
 * reports in their order, one PUBLISH. ARGV: run id, then items `e, <event JSON>` or
 * `p, <barrier key>, <initial total>, <grow>, <at>, <chord_id JSON>` (counted as CHORD_PROGRESS_LUA does).
 */
const APPEND_MIXED_LUA = `
local evs = {}
local i = 2
while i <= #ARGV do
  if ARGV[i] == 'e' then
    evs[#evs + 1] = ARGV[i + 1]
    i = i + 2
  else
    local bk = ARGV[i + 1]
    local done = redis.call('HINCRBY', KEYS[3], bk .. '|d', 1)
    local total = redis.call('HINCRBY', KEYS[3], bk .. '|g', tonumber(ARGV[i + 3])) + tonumber(ARGV[i + 2])
    evs[#evs + 1] = '{"type":"chord.progress","at":' .. ARGV[i + 4] .. ',"chord_id":' .. ARGV[i + 5] .. ',"done":' .. done .. ',"total":' .. total .. '}'
    i = i + 6
  end
end
local n = 0
for s = 1, #evs, 500 do
  n = redis.call('RPUSH', KEYS[1], unpack(evs, s, math.min(s + 499, #evs)))
end
local first = n - #evs + 1
redis.call('PUBLISH', KEYS[2], '{"run_id":"' .. ARGV[1] .. '","first_seq":' .. first .. ',"events":[' .. table.concat(evs, ',') .. ']}')
return first
`;

/**
 * Creates a run in one round trip: the record (only if no run has this id: HSETNX on `id`, so a
 * duplicate submit changes nothing), its place in the runs index and its first events, published as
 * `APPEND_EVENTS_LUA` does. KEYS: record, index, events, channel. ARGV: id, score, field count, fields
 * and values, then the events. Returns the first event's seq (0 without events), or -1 for a duplicate.
 */
const CREATE_RUN_LUA = `
if redis.call('HSETNX', KEYS[1], 'id', ARGV[1]) == 0 then return -1 end
local nf = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 4, 3 + 2 * nf))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local e0 = 4 + 2 * nf
if e0 > #ARGV then return 0 end
local n = 0
for s = e0, #ARGV, 500 do
  n = redis.call('RPUSH', KEYS[3], unpack(ARGV, s, math.min(s + 499, #ARGV)))
end
local first = n - (#ARGV - e0 + 1) + 1
redis.call('PUBLISH', KEYS[4], '{"run_id":"' .. ARGV[1] .. '","first_seq":' .. first .. ',"events":[' .. table.concat(ARGV, ',', e0) .. ']}')
return first
`;

/**
 * A run turns `progress` when its first task starts (director's `start` task), never back: the status
 * is set only while it is still `pending`, so a late write cannot undo a final status.
 */
const MARK_PROGRESS_LUA = `
if redis.call('HGET', KEYS[1], 'status') == 'pending' then
  redis.call('HSET', KEYS[1], 'status', 'progress', 'updated', ARGV[1])
end
return 0
`;

export type AppendClient = Redis & {
  chordflowCreateRun(
    runKey: string,
    runsKey: string,
    eventsKey: string,
    channel: string,
    ...args: Array<string | number>
  ): Promise<number>;
  chordflowMarkProgress(runKey: string, updated: string): Promise<number>;
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
  chordflowAppendMixed(
    eventsKey: string,
    channel: string,
    progressKey: string,
    runId: string,
    ...items: Array<string | number>
  ): Promise<number>;
};

function withScripts(redis: Redis): AppendClient {
  const r = redis as AppendClient;
  if (typeof r.chordflowAppendEvents !== 'function') {
    redis.defineCommand('chordflowAppendEvents', { numberOfKeys: 2, lua: APPEND_EVENTS_LUA });
    redis.defineCommand('chordflowProgress', { numberOfKeys: 3, lua: CHORD_PROGRESS_LUA });
    redis.defineCommand('chordflowAppendMixed', { numberOfKeys: 3, lua: APPEND_MIXED_LUA });
    redis.defineCommand('chordflowMarkProgress', { numberOfKeys: 1, lua: MARK_PROGRESS_LUA });
    redis.defineCommand('chordflowCreateRun', { numberOfKeys: 4, lua: CREATE_RUN_LUA });
  }
  return r;
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

  /**
   * Creates the run record and appends its first `events` (run.started …) in the same round trip; false
   * when a run with this id already exists (duplicate submit: nothing is written).
   */
  async createRun(record: RunRecord, plan: unknown, events: EventInput[] = []): Promise<boolean> {
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
    const first = await this.redis.chordflowCreateRun(
      this.keys.run(record.id),
      this.keys.runs,
      this.keys.events(record.id),
      this.keys.eventsChannel,
      record.id,
      Date.parse(record.created),
      fields.length,
      ...fields.flat(),
      ...head,
    );
    if (first === -1) return false;
    for (const chunk of rest)
      await this.redis.chordflowAppendEvents(
        this.keys.events(record.id),
        this.keys.eventsChannel,
        record.id,
        ...chunk,
      );
    return true;
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
    const values = await this.redis.hmget(this.keys.run(id), ...fields);
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
    const [rid, created] = await this.redis.hmget(this.keys.run(id), 'id', 'created');
    return !!rid && !!created;
  }

  async getStatus(id: string): Promise<DirectorStatus | undefined> {
    return ((await this.redis.hget(this.keys.run(id), 'status')) ?? undefined) as DirectorStatus | undefined;
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
        const values = await this.redis.hmget(this.keys.tasks(runId), ...slice);
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
