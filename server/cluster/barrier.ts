/**
 * Chordflow's own barriers, beside BullMQ's queues (tasks are plain jobs, no BullMQ parent/child links).
 *
 * One Redis hash per run, `<prefix>:run:<id>:barrier`, holds every barrier of the run (the root
 * `<run>.root`, each chord's header join `<run>.c.<path>`):
 *   `<member key>`   `0` registered and pending, `1` done — member keys are unique in a run and a member
 *                    belongs to one barrier (its dispatch's `parentBarrier`), so one field says it all;
 *   `<barrier>|p`    how many registered members of the barrier are pending;
 *   `<barrier>|r`    the message key that released the barrier (set once: released exactly once).
 * (Message keys never contain `|`: see `escapeKey`.) One hash per run makes the run's end one HSCAN
 * (every job of the run is a member) and one UNLINK.
 *
 * `COMPLETE_LUA` records completions, atomically (a job's inline steps together at its end; every
 * completion of every run asked for in the same event-loop turn in one script call — a worker's in
 * the same call as its run store writes, after them: `COMPLETE_TAIL`, storeBatch.ts): for each, it
 * registers the finishing message's new dispatches in
 * their barriers, checks the barriers it just created (an empty header, or children that all finished
 * before their registration), marks the message done in its own barrier and answers which barriers
 * the caller must release now. Crash reasoning (worker.ts): the continuation jobs are added before
 * this script runs and the job completes only after it (and any release it asks for); a redelivered
 * job re-adds existing ids (no-ops), re-registers (no-ops), finds itself done and — if it is a
 * barrier's `releaser` — is told to release that barrier again (releases are idempotent by key, so
 * redoing one cannot trigger anything twice). A member that finishes before its registration is
 * marked done without counting; its registration then finds it done and does not count it either.
 */
import type { Redis } from 'ioredis';
import type { Dispatch } from '../../lib/engine/types';
import type { FlushTail, StoreBatch } from '../runs/runStore';
import { CLAIM_RELEASE_LUA } from '../runs/storeScripts';

/** The run's barrier hash. */
export function barrierHashKey(prefix: string, runId: string): string {
  return `${prefix}:run:${runId}:barrier`;
}

/** Runs that ended or were canceled, scored by when their jobs may be removed (runCleanup.ts). */
export function endedKey(prefix: string): string {
  return `${prefix}:ended`;
}

/**
 * The completion loop, from ARGV[`start`] to the end, each completion's hash `h` (and for a rider its
 * run id `run`, which relative keys are completed with) set by `scope` (Lua reading `ARGV[i]`, the
 * completion's first argument). Per completion: that first argument, the
 * finishing message key ('' = none: a submit or a retry registering), its barrier ('' = none), the
 * releaser name to record when the key is '', n, then n (barrier, member) pairs to register, m, then
 * the m barriers created by these registrations. Answers, per completion, `1` when its message was
 * already done (a redelivery) else `0`, followed by the barriers it released (keys contain a `.`).
 */
function completeLua(start: string, scope: string): string {
  return `${CLAIM_RELEASE_LUA}
local out = {}
local i = ${start}
local h
local run
-- A key sent relative to its run (starting with '.') is the run id followed by it (see Barriers.call).
local function full(k)
  if run and string.byte(k, 1) == 46 then return run .. k end
  return k
end
while i <= #ARGV do
  ${scope}
  local me = full(ARGV[i + 1])
  local parent = full(ARGV[i + 2])
  local who = me
  if who == '' then who = ARGV[i + 3] end
  local n = tonumber(ARGV[i + 4])
  i = i + 5
  local flag = #out + 1
  out[flag] = '0'
  -- Counted once per barrier (a submit registers a thousand members of one barrier per call).
  local added = {}
  local order = {}
  for j = i, i + 2 * n - 1, 2 do
    if redis.call('HSETNX', h, ARGV[j + 1], '0') == 1 then
      local b = ARGV[j]
      if not added[b] then
        added[b] = 0
        order[#order + 1] = b
      end
      added[b] = added[b] + 1
    end
  end
  for _, b in ipairs(order) do redis.call('HINCRBY', h, b .. '|p', added[b]) end
  i = i + 2 * n
  local function release(b) claimRelease(h, b, who, out) end
  local m = tonumber(ARGV[i])
  for j = i + 1, i + m do
    local b = ARGV[j]
    if tonumber(redis.call('HGET', h, b .. '|p') or '0') <= 0 then release(b) end
  end
  i = i + m + 1
  if me ~= '' then
    local f = redis.call('HGET', h, me)
    if f == '0' then
      redis.call('HSET', h, me, '1')
      if parent ~= '' and redis.call('HINCRBY', h, parent .. '|p', -1) <= 0 then release(parent) end
    elseif not f then
      redis.call('HSET', h, me, '1')
    else
      out[flag] = '1'
      if parent ~= '' and redis.call('HGET', h, parent .. '|r') == me then out[#out + 1] = parent end
    end
  end
end
return out
`;
}

/** KEYS: run barrier hashes; each completion's first argument is its hash's index in KEYS. */
const COMPLETE_LUA = completeLua('1', 'h = KEYS[tonumber(ARGV[i])]');

/**
 * The same completions riding in the run store's flush (StoreBatch), after its writes, in the same
 * script call: each completion's first argument is its run id (the hash is `<run key prefix><run
 * id>:barrier`, `barrierHashKey`), or '' for the previous completion's run (the batch blanks a
 * rider's scope when the rider before it had the same); a finishing key or its barrier's that starts
 * with `.` is relative to that run id; `t` is where the flush's arguments end.
 */
export const COMPLETE_TAIL: FlushTail = {
  lua: completeLua('t', "if ARGV[i] ~= '' then run = ARGV[i]; h = KEYS[2] .. run .. ':barrier' end"),
  split: (answer, counts) => cutAnswer(answer as string[], counts),
};

type BarrierClient = Redis & {
  chordflowBarrier(keys: number, ...keysAndArgs: Array<string | number>): Promise<string[]>;
};

/** Registrations of `dispatches`: flat (barrier, member) pairs, and the barriers they create. */
export function registrations(dispatches: readonly Dispatch[]): { pairs: string[]; created: string[] } {
  const pairs: string[] = [];
  const created: string[] = [];
  const add = (d: Dispatch, parent: string | null) => {
    if (parent) pairs.push(parent, d.message.key);
    if (d.message.kind !== 'barrier') return;
    created.push(d.message.key);
    // A barrier's initial children are its members (as in a flow, whatever their own parentBarrier says).
    for (const c of d.children ?? []) add(c, d.message.key);
  };
  for (const d of dispatches) add(d, d.parentBarrier);
  return { pairs, created };
}

/**
 * A message's completion: `key` finished under `parent` and sent `dispatches`. `key` undefined: nothing
 * finished (a retry that sent messages): only the registrations.
 */
export interface Done {
  key: string | undefined;
  parent: string | null;
  dispatches: readonly Dispatch[];
}

function parseAnswer(answer: string[]): Completion[] {
  const out: Completion[] = [];
  for (const x of answer) {
    if (x === '0' || x === '1') out.push({ released: [], again: x === '1' });
    else out[out.length - 1]?.released.push(x);
  }
  return out;
}

/** What a completion script answered. */
export interface Completion {
  /** Barriers to release now, in order (this message released them, now or on an earlier delivery). */
  released: string[];
  /** The message was already done: a redelivery (a release it is told about is being redone). */
  again: boolean;
}

interface Call {
  hash: string;
  /** Each completion's arguments, without its hash index (their answers are cut out by count). */
  items: Array<Array<string | number>>;
  resolve: (answer: string[]) => void;
  reject: (err: unknown) => void;
}

/** Arguments per merged script call (the calls of one turn share one; a long one holds Redis). */
const MERGE_ARGS = 4000;

/**
 * Registrations per script call when a submit registers a big root (a long script holds Redis); a root
 * of at most this many is registered by the script that creates the run (RunStore.createRegistered).
 */
export const REGISTER_CHUNK = 1000;

/**
 * Cuts a script call's answer into its callers' parts at the per-completion markers (`0`/`1`): caller
 * `i` sent `counts[i]` completions, in call order.
 */
function cutAnswer(answer: readonly string[], counts: readonly number[]): string[][] {
  const parts: string[][] = [];
  let at = 0;
  for (const count of counts) {
    const from = at;
    let seen = 0;
    while (at < answer.length) {
      const x = answer[at];
      if ((x === '0' || x === '1') && seen++ === count) break;
      at++;
    }
    parts.push(answer.slice(from, at));
  }
  return parts;
}

export class Barriers {
  private readonly redis: BarrierClient;
  private pending: Call[] = [];
  private scheduled = false;

  /**
   * `batch`: completions ride in that run store batch's flush, after its writes (one script call per
   * turn for both, see storeBatch.ts); it must have been made with `COMPLETE_TAIL`. Without it they
   * go in a script call of their own per turn.
   */
  constructor(
    redis: Redis,
    readonly prefix: string,
    private readonly batch?: StoreBatch,
  ) {
    this.redis = redis as BarrierClient;
    if (typeof this.redis.chordflowBarrier !== 'function')
      redis.defineCommand('chordflowBarrier', { lua: COMPLETE_LUA });
  }

  /**
   * Message `key` (under barrier `parent`) finished and sent `dispatches` (their jobs already added):
   * registers them and marks `key` done, atomically. Resolves to the barriers the caller must release
   * now, in order. Calls made in the same event-loop turn share one script call.
   */
  async complete(
    runId: string,
    key: string,
    parent: string | null,
    dispatches: readonly Dispatch[],
  ): Promise<Completion> {
    return (
      (await this.completeAll(runId, [{ key, parent, dispatches }]))[0] ?? { released: [], again: false }
    );
  }

  /**
   * Several completions of one run in one script call, in order (a job's inline steps: each one's
   * registrations and completion, as if made one by one — the job held them all until now).
   */
  completeAll(runId: string, items: readonly Done[]): Promise<Completion[]> {
    const args = items.map((it) => {
      const parent = it.key === undefined ? '' : (it.parent ?? '');
      // Most completions send nothing (a group's task): no registration lists to build.
      if (it.dispatches.length === 0) return [it.key ?? '', parent, '', 0, 0];
      const { pairs, created } = registrations(it.dispatches);
      return [it.key ?? '', parent, '', pairs.length / 2, ...pairs, created.length, ...created];
    });
    return this.call(runId, args).then(parseAnswer);
  }

  /**
   * A submit's registrations: every member of `dispatches` (the root and its children, nested chords'
   * headers) before any of their jobs exists, so nothing can finish, let alone release, before the
   * whole root is registered; a big root goes in several calls, the created barriers checked in the
   * last. Resolves to barriers already releasable (a chord with an empty header). A root of at most
   * REGISTER_CHUNK members is registered instead by the script that creates the run (storeScripts.ts
   * CREATE_RUNS_LUA: the same registration and release check as COMPLETE_LUA's; change them together).
   */
  async register(runId: string, dispatches: readonly Dispatch[]): Promise<string[]> {
    const { pairs, created } = registrations(dispatches);
    const who = `${runId}.submit`;
    const step = REGISTER_CHUNK * 2;
    const chunks: string[][] = [];
    for (let i = 0; i < pairs.length; i += step) chunks.push(pairs.slice(i, i + step));
    const last = chunks.pop() ?? [];
    for (const part of chunks) await this.call(runId, [['', '', who, part.length / 2, ...part, 0]]);
    const answer = await this.call(runId, [
      ['', '', who, last.length / 2, ...last, created.length, ...created],
    ]);
    return parseAnswer(answer).flatMap((c) => c.released);
  }

  private call(runId: string, items: Array<Array<string | number>>): Promise<string[]> {
    if (this.batch) {
      // The rider's scope (its first argument) is the run id; its other completions say '' (the same).
      // The finishing message's key and its barrier's, which start with the run id, are sent without
      // it (`.t.…`, `.root`; no full key starts with '.'): ~75 bytes less per completion to send and parse.
      const head = `${runId}.`;
      const short = (k: string | number) =>
        typeof k === 'string' && k.startsWith(head) ? k.slice(runId.length) : k;
      const args: Array<string | number> = [];
      for (const it of items) {
        args.push(args.length === 0 ? runId : '');
        args.push(short(it[0] ?? ''), short(it[1] ?? ''));
        for (let j = 2; j < it.length; j++) args.push(it[j] ?? '');
      }
      return this.batch.ride(args, items.length) as Promise<string[]>;
    }
    const hash = barrierHashKey(this.prefix, runId);
    return new Promise((resolve, reject) => {
      this.pending.push({ hash, items, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Group commit: every completion asked for in the same turn, of any run, goes in one script call (in
   * call order, so each call's answer is its own slice of the answer); a very big turn in a few.
   */
  private async flush(): Promise<void> {
    this.scheduled = false;
    const calls = this.pending;
    this.pending = [];
    type Merged = { keys: string[]; index: Map<string, number>; args: Array<string | number>; calls: Call[] };
    const merged: Merged[] = [];
    let m: Merged | undefined;
    for (const c of calls) {
      const size = c.items.reduce((n, it) => n + it.length + 1, 0);
      if (!m || (m.args.length > 0 && m.args.length + size > MERGE_ARGS)) {
        m = { keys: [], index: new Map(), args: [], calls: [] };
        merged.push(m);
      }
      let k = m.index.get(c.hash);
      if (k === undefined) {
        k = m.keys.push(c.hash);
        m.index.set(c.hash, k);
      }
      for (const it of c.items) {
        m.args.push(k);
        for (const a of it) m.args.push(a);
      }
      m.calls.push(c);
    }
    const answers = await Promise.allSettled(
      merged.length === 1 && merged[0]
        ? [this.redis.chordflowBarrier(merged[0].keys.length, ...merged[0].keys, ...merged[0].args)]
        : this.pipelined(merged),
    );
    merged.forEach((g, i) => {
      const a = answers[i];
      if (!a || a.status === 'rejected') {
        for (const c of g.calls) c.reject(a?.status === 'rejected' ? a.reason : new Error('no reply'));
        return;
      }
      const parts = cutAnswer(
        a.value,
        g.calls.map((c) => c.items.length),
      );
      g.calls.forEach((c, j) => {
        c.resolve(parts[j] ?? []);
      });
    });
  }

  private pipelined(
    merged: Array<{ keys: string[]; args: Array<string | number> }>,
  ): Array<Promise<string[]>> {
    const p = this.redis.pipeline() as unknown as BarrierClient & {
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    for (const m of merged) p.chordflowBarrier(m.keys.length, ...m.keys, ...m.args);
    const results = p.exec();
    return merged.map((_, i) =>
      results.then((r) => {
        const [err, value] = r?.[i] ?? [new Error('no reply'), null];
        if (err) throw err;
        return value as string[];
      }),
    );
  }
}
