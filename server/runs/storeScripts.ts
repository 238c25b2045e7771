/**
 * The run store's Lua scripts (event append, chord progress, the per-turn flush, grouped run creation and
 * reads) and the ioredis commands they become. Kept apart from `RunStore` so the store reads as what it
 * stores; each script's comment says why it is one script.
 */
import type { Redis } from 'ioredis';

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
 * Lua `claimRelease(h, b, who, out)`: barrier `b` of the run's barrier hash `h` has no pending member;
 * `who` becomes its releaser unless another message already is, and `b` is appended to `out` when `who`
 * is (or already was) the releaser, so a redelivered releaser gets the same answer and a release happens
 * once (server/cluster/barrier.ts; CREATE_RUNS_LUA releases an empty header the same way).
 */
export const CLAIM_RELEASE_LUA = `
local function claimRelease(h, b, who, out)
  local r = redis.call('HGET', h, b .. '|r')
  if not r then
    redis.call('HSET', h, b .. '|r', who)
    out[#out + 1] = b
  elseif r == who then
    out[#out + 1] = b
  end
end
`;

/** Lua for eventCodec's `packList`: one argument back into its values. */
const UNPACK_LIST_LUA = `
local function unpackList(s)
  local out, pos, n = {}, 1, #s
  while pos <= n do
    local c = string.find(s, ':', pos, true)
    local len = tonumber(string.sub(s, pos, c - 1))
    out[#out + 1] = string.sub(s, c + 1, c + len)
    pos = c + len + 1
  end
  return out
end
`;

/**
 * StoreBatch's flush: any number of runs' writes in one call, five arguments per run segment (ioredis
 * spends more per argument than per byte, and a run's finish had ~80 of them). KEYS: the events channel,
 * the run key prefix (`<p>:run:`; a run's keys are derived from it as keys.ts spells them, all under the
 * one hash tag). ARGV per segment: run id, the `updated` value of a `pending` → `progress` mark ('' for
 * none), then three packed lists (eventCodec's `packList`: `<byte length>:<value>` each) — task state
 * pairs, items (an event's JSON, which starts with `{`, or `p, <barrier key>, <initial total>, <grow>,
 * <at>, <chord_id JSON>`, counted as CHORD_PROGRESS_LUA does; no marker per event: a task's two events'
 * markers were half the items the script unpacked) and run field pairs. Per segment, in this order: task
 * states, events and chord reports with one PUBLISH (built only when the channel has a subscriber: Redis
 * drops a message nobody hears anyway, whoever subscribes later reads the log, and a worker with no web
 * server listening spent a concatenation of every event of the turn on it), the mark (a run turns
 * `progress` when its first task starts and never back: only while still `pending`), the fields.
 */
function flushLua(first: string, last: string): string {
  return `${UNPACK_LIST_LUA}
local listening
for a = ${first}, ${last}, 5 do
  local runId = ARGV[a]
  local runKey = KEYS[2] .. runId
  local states = unpackList(ARGV[a + 2])
  for s = 1, #states, 1000 do
    redis.call('HSET', runKey .. ':tasks', unpack(states, s, math.min(s + 999, #states)))
  end
  local items = unpackList(ARGV[a + 3])
  if #items > 0 then
    local evs = {}
    local i = 1
    while i <= #items do
      local item = items[i]
      if item ~= 'p' then
        evs[#evs + 1] = item
        i = i + 1
      else
        local bk = items[i + 1]
        local done = redis.call('HINCRBY', runKey .. ':progress', bk .. '|d', 1)
        local total = redis.call('HINCRBY', runKey .. ':progress', bk .. '|g', tonumber(items[i + 3])) + tonumber(items[i + 2])
        evs[#evs + 1] = '{"type":"chord.progress","at":' .. items[i + 4] .. ',"chord_id":' .. items[i + 5] .. ',"done":' .. done .. ',"total":' .. total .. '}'
        i = i + 6
      end
    end
    local n = 0
    for s = 1, #evs, 500 do
      n = redis.call('RPUSH', runKey .. ':events', unpack(evs, s, math.min(s + 499, #evs)))
    end
    if listening == nil then
      listening = redis.call('PUBSUB', 'NUMSUB', KEYS[1])[2] > 0 or redis.call('PUBSUB', 'NUMPAT') > 0
    end
    if listening then
      redis.call('PUBLISH', KEYS[1], '{"run_id":"' .. runId .. '","first_seq":' .. (n - #evs + 1) .. ',"events":[' .. table.concat(evs, ',') .. ']}')
    end
  end
  if ARGV[a + 1] ~= '' and redis.call('HGET', runKey, 'status') == 'pending' then
    redis.call('HSET', runKey, 'status', 'progress', 'updated', ARGV[a + 1])
  end
  local fields = unpackList(ARGV[a + 4])
  if #fields > 0 then redis.call('HSET', runKey, unpack(fields)) end
end
`;
}

const FLUSH_LUA = `${flushLua('1', '#ARGV')}return 0`;

/**
 * FLUSH_LUA's writes, then a tail's (StoreBatch's `FlushTail`: the barrier completions of the jobs
 * whose writes these are, server/cluster/barrier.ts) in the same call. ARGV[1]: how many of the
 * arguments after it are the flush's segments; the tail's start at `t`; the tail's answer is returned.
 */
export function flushWithTailLua(tail: string): string {
  return `local t = tonumber(ARGV[1]) + 2
${flushLua('2', 't - 1')}${tail}`;
}

/**
 * Creates runs (those submitted in the same event-loop turn) in one call. Each record is written only if
 * no run has its id (HSETNX on `id`, so a duplicate submit changes nothing), then its place in the runs
 * index, its first events, published as `APPEND_EVENTS_LUA` does, and the registration of its root's
 * members in the run's barrier hash (`<p>:run:<id>:barrier`, as barrier.ts's COMPLETE_LUA registers a
 * submit's: counted once per member, then each created barrier that has no pending member is released
 * by `<id>.submit`) — the same script, so a submit's first round trip leaves the run registered and its
 * jobs can be added next. KEYS: index, channel, run key prefix (`<p>:run:`, as keys.ts spells a run's
 * keys). ARGV per run: id, score, packed field/value pairs, packed events, packed (barrier, member)
 * pairs, packed created barriers (`packList`). Returns per run -1 for a duplicate, else a list: the
 * first event's seq (0 without events), then the barriers released (an empty header).
 */
const CREATE_RUNS_LUA = `${UNPACK_LIST_LUA}${CLAIM_RELEASE_LUA}
local out = {}
for a = 1, #ARGV, 6 do
  local id = ARGV[a]
  local runKey = KEYS[3] .. id
  if redis.call('HSETNX', runKey, 'id', id) == 0 then
    out[#out + 1] = -1
  else
    redis.call('HSET', runKey, unpack(unpackList(ARGV[a + 2])))
    redis.call('ZADD', KEYS[1], ARGV[a + 1], id)
    local res = {0}
    local evs = unpackList(ARGV[a + 3])
    if #evs > 0 then
      local n = 0
      for s = 1, #evs, 500 do
        n = redis.call('RPUSH', runKey .. ':events', unpack(evs, s, math.min(s + 499, #evs)))
      end
      res[1] = n - #evs + 1
      redis.call('PUBLISH', KEYS[2], '{"run_id":"' .. id .. '","first_seq":' .. (n - #evs + 1) .. ',"events":[' .. table.concat(evs, ',') .. ']}')
    end
    local h = runKey .. ':barrier'
    local members = unpackList(ARGV[a + 4])
    for j = 1, #members, 2 do
      if redis.call('HSETNX', h, members[j + 1], '0') == 1 then
        redis.call('HINCRBY', h, members[j] .. '|p', 1)
      end
    end
    local who = id .. '.submit'
    for _, b in ipairs(unpackList(ARGV[a + 5])) do
      if tonumber(redis.call('HGET', h, b .. '|p') or '0') <= 0 then claimRelease(h, b, who, res) end
    end
    out[#out + 1] = res
  end
end
return out
`;

/**
 * Reads made in the same turn, in one call (RunStore's TickGroup). KEYS: the keys read; ARGV: per key
 * its packed field list (HMGET), or '' (EXISTS).
 */
const READ_MANY_LUA = `${UNPACK_LIST_LUA}
local out = {}
for i = 1, #KEYS do
  if ARGV[i] == '' then
    out[i] = redis.call('EXISTS', KEYS[i])
  else
    out[i] = redis.call('HMGET', KEYS[i], unpack(unpackList(ARGV[i])))
  end
end
return out
`;

/** A run to create (storeScripts.ts's CREATE_RUNS_LUA arguments for it). */
export interface CreateRequest {
  /** events written with it, plus one (a call is cut at CHUNK) */
  weight: number;
  id: string;
  score: string;
  fields: string;
  events: string;
  /** packed (barrier, member) pairs to register, and the barriers they create ('' for none) */
  members: string;
  created: string;
}

/**
 * A submit's barrier registrations (barrier.ts `registrations`), made by the script that creates the run:
 * flat (barrier, member) pairs and the barriers they create.
 */
export interface SubmitRegistrations {
  pairs: readonly string[];
  created: readonly string[];
}

export type AppendClient = Redis & {
  chordflowCreateRuns(
    runsKey: string,
    channel: string,
    runKeyPrefix: string,
    ...args: string[]
  ): Promise<Array<-1 | [number, ...string[]]>>;
  /** READ_MANY_LUA: the key count first. */
  chordflowReadMany(numKeys: number, ...keysAndArgs: string[]): Promise<Array<Array<string | null> | number>>;
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
  chordflowFlush(channel: string, runKeyPrefix: string, ...segments: string[]): Promise<number>;
  /** flushWithTailLua's: the segments' argument count, the segments, then the tail's arguments. */
  chordflowFlushTail?(
    channel: string,
    runKeyPrefix: string,
    ...args: Array<string | number>
  ): Promise<unknown[]>;
};

/** `redis` with the run store's scripts defined on it (once per connection). */
export function withScripts(redis: Redis): AppendClient {
  const r = redis as AppendClient;
  if (typeof r.chordflowAppendEvents !== 'function') {
    redis.defineCommand('chordflowAppendEvents', { numberOfKeys: 2, lua: APPEND_EVENTS_LUA });
    redis.defineCommand('chordflowProgress', { numberOfKeys: 3, lua: CHORD_PROGRESS_LUA });
    redis.defineCommand('chordflowFlush', { numberOfKeys: 2, lua: FLUSH_LUA });
    redis.defineCommand('chordflowCreateRuns', { numberOfKeys: 3, lua: CREATE_RUNS_LUA });
    redis.defineCommand('chordflowReadMany', { lua: READ_MANY_LUA });
  }
  return r;
}
