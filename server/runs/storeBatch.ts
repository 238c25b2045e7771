/**
 * Group commit for the hot path: everything the jobs finishing in the same event-loop turn write — task
 * states, event appends, chord header reports, the `pending` → `progress` mark, final run fields, for
 * any number of runs — goes to Redis as one script call (FLUSH_LUA; more only past CHUNK items), not a
 * command per run and kind: on a busy worker most of a run's cost outside BullMQ was per-command client
 * work (building, writing, parsing each reply), not Redis's. Per run the script keeps the order the
 * guarantees need: states before the events that announce them, one PUBLISH per run and call. `flush`
 * resolves once the call that carried the writes has been executed, so a job completes (and may release
 * its barrier) only after its state is in Redis.
 */
import { CHUNK, type EventInput, encodeEvent, packList } from './eventCodec';
import type { AppendClient, RunStore } from './runStore';
import { flushWithTailLua } from './storeScripts';

/**
 * Script work that rides in a flush's call, after its writes (the barrier completions of the jobs
 * whose writes these are, server/cluster/barrier.ts's `COMPLETE_TAIL`): one script call per turn for
 * both instead of one each, and a job's completion is recorded in the same call as its writes.
 */
export interface FlushTail {
  /**
   * Lua run after the writes: its arguments are `ARGV[t]` to the end, each rider's in turn; a rider's
   * first argument is its scope, '' when the rider before it in the call had the same scope (a run id
   * said once for all of a turn's completions of that run). What it returns is the answer.
   */
  lua: string;
  /** Cuts a call's answer into each rider's part (rider `i` sent `counts[i]` items). */
  split(answer: unknown[], counts: number[]): unknown[][];
}

interface Rider {
  args: Array<string | number>;
  count: number;
  resolve: (answer: unknown[]) => void;
  reject: (err: unknown) => void;
}

/** Tail arguments per script call (a long one holds Redis); a rider bigger than that goes alone. */
const TAIL_ARGS = 4000;

/** What one run writes in one script call. */
interface Segment {
  runId: string;
  /** task id, state JSON pairs */
  states: string[];
  /** events (JSON: `{…`) and `p, barrier, total, grow, at, chord_id` reports, in order */
  items: Array<string | number>;
  /** the `updated` time of the `pending` → `progress` mark, '' for none */
  progress: string;
  /** run hash field, value pairs (the final status) */
  fields: string[];
  /** units the segment counts toward a call's CHUNK (states + events) */
  size: number;
}

interface RunWrites {
  states: string[];
  /** item lists, each at most CHUNK events (a call's unpack of values is limited) */
  logs: Array<{ items: Array<string | number>; events: number }>;
  progress: boolean;
  fields: string[];
}

export class StoreBatch {
  private runs = new Map<string, RunWrites>();
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private riders: Rider[] = [];
  private scheduled = false;

  constructor(
    private readonly store: RunStore,
    private readonly tail?: FlushTail,
  ) {
    const redis = store.redis;
    if (tail && typeof redis.chordflowFlushTail !== 'function')
      redis.defineCommand('chordflowFlushTail', { numberOfKeys: 2, lua: flushWithTailLua(tail.lua) });
  }

  private of(runId: string): RunWrites {
    let w = this.runs.get(runId);
    if (!w) {
      w = { states: [], logs: [], progress: false, fields: [] };
      this.runs.set(runId, w);
    }
    return w;
  }

  private log(runId: string): Array<string | number> {
    const logs = this.of(runId).logs;
    let last = logs[logs.length - 1];
    if (!last || last.events >= CHUNK) {
      last = { items: [], events: 0 };
      logs.push(last);
    }
    last.events++;
    return last.items;
  }

  appendEvents(runId: string, events: readonly EventInput[]): void {
    for (const e of events) this.log(runId).push(encodeEvent(e));
  }

  chordProgress(
    runId: string,
    barrierKey: string,
    chordId: string,
    initialTotal: number,
    grow: number,
    at: number,
  ): void {
    this.log(runId).push('p', barrierKey, initialTotal, grow, Math.round(at), JSON.stringify(chordId));
  }

  /**
   * Final states of a step, in order (a task id written twice keeps its last state, as HSET does with
   * the pairs in order).
   */
  setFinals(runId: string, finals: ReadonlyArray<{ task_id: string; final: unknown }>): void {
    const buf = this.of(runId).states;
    for (const f of finals) buf.push(f.task_id, JSON.stringify(f.final));
  }

  /** Final states by task id (a Map: task ids are user text). */
  setTaskStates(runId: string, states: ReadonlyMap<string, unknown>): void {
    if (states.size === 0) return;
    const buf = this.of(runId).states;
    for (const [id, state] of states) buf.push(id, JSON.stringify(state));
  }

  setRunFields(runId: string, fields: Record<string, string>): void {
    const buf = this.of(runId).fields;
    for (const [k, v] of Object.entries(fields)) buf.push(k, v);
  }

  /** The run's first task started: `pending` → `progress` (only from pending; see FLUSH_LUA). */
  markProgress(runId: string): void {
    this.of(runId).progress = true;
  }

  /** Resolves when everything added so far is written. */
  flush(): Promise<void> {
    if (this.runs.size === 0 && this.waiters.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.schedule();
    return done;
  }

  /**
   * Runs the tail (`FlushTail`, given at construction) with `args` (`count` items) after everything
   * added so far is written, in the same script call; resolves to this rider's part of its answer.
   */
  ride(args: Array<string | number>, count: number): Promise<unknown[]> {
    if (!this.tail) return Promise.reject(new Error('this StoreBatch has no tail'));
    const done = new Promise<unknown[]>((resolve, reject) =>
      this.riders.push({ args, count, resolve, reject }),
    );
    this.schedule();
    return done;
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.run());
    }
  }

  /** The script calls for everything added so far, each at most CHUNK states and events. */
  private calls(): Segment[][] {
    const now = new Date().toISOString();
    const calls: Segment[][] = [];
    let call: Segment[] = [];
    let size = 0;
    const add = (s: Segment) => {
      if (size > 0 && size + s.size > CHUNK) {
        calls.push(call);
        call = [];
        size = 0;
      }
      call.push(s);
      size += s.size;
    };
    for (const [runId, w] of this.runs) {
      // States first (a task's final is in place before its events announce it), in slices of CHUNK.
      const stateSlices: string[][] = [];
      for (let i = 0; i < w.states.length; i += 2 * CHUNK) stateSlices.push(w.states.slice(i, i + 2 * CHUNK));
      const segments: Segment[] = stateSlices.map((states) => ({
        runId,
        states,
        items: [],
        progress: '',
        fields: [],
        size: states.length / 2,
      }));
      for (const log of w.logs) {
        const last = segments[segments.length - 1];
        // A run's events in the same call as its (last) states when they fit.
        if (last && last.items.length === 0 && last.size + log.events <= CHUNK) {
          last.items = log.items;
          last.size += log.events;
        } else
          segments.push({ runId, states: [], items: log.items, progress: '', fields: [], size: log.events });
      }
      let tail = segments[segments.length - 1];
      if (!tail) {
        tail = { runId, states: [], items: [], progress: '', fields: [], size: 0 };
        segments.push(tail);
      }
      // The mark and the final fields after the run's events, as before (a final status is never undone).
      if (w.progress) tail.progress = now;
      tail.fields = w.fields;
      for (const s of segments) add(s);
    }
    if (call.length > 0) calls.push(call);
    this.runs = new Map();
    return calls;
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    const riders = this.riders;
    this.riders = [];
    try {
      const calls = this.calls();
      const client = this.store.redis;
      const k = this.store.keys;
      const segmentArgs = (segments: Segment[]) => {
        const args: string[] = [];
        for (const s of segments)
          args.push(s.runId, s.progress, packList(s.states), packList(s.items), packList(s.fields));
        return args;
      };
      const send = (segments: Segment[], to: AppendClient) =>
        to.chordflowFlush(k.eventsChannel, k.run(''), ...segmentArgs(segments));
      // Riders go in the last call (after every write of this turn), in groups of about TAIL_ARGS.
      const groups = riderGroups(riders);
      const sendTail = (segments: Segment[], group: Rider[], to: AppendClient) => {
        const args = segmentArgs(segments);
        const tail: Array<string | number> = [];
        let scope: string | number | undefined;
        for (const r of group) {
          const [first] = r.args;
          tail.push(first === scope ? '' : (first ?? ''));
          scope = first;
          for (let i = 1; i < r.args.length; i++) tail.push(r.args[i] ?? '');
        }
        return to.chordflowFlushTail?.(k.eventsChannel, k.run(''), args.length, ...args, ...tail);
      };
      const [only] = calls;
      const [group] = groups;
      if (calls.length <= 1 && groups.length <= 1) {
        if (group) this.answer(group, await sendTail(only ?? [], group, client));
        else if (only) await send(only, client);
      } else {
        const p = client.pipeline() as unknown as AppendClient & {
          exec(): Promise<[Error | null, unknown][] | null>;
        };
        // Each group's result index in the pipeline: the first rides on the last flush call.
        const tails: Array<[number, Rider[]]> = [];
        let n = 0;
        calls.forEach((c, i) => {
          const g = i === calls.length - 1 ? groups.shift() : undefined;
          if (g) {
            tails.push([n, g]);
            sendTail(c, g, p);
          } else send(c, p);
          n++;
        });
        for (const g of groups) {
          tails.push([n++, g]);
          sendTail([], g, p);
        }
        const results = (await p.exec()) ?? [];
        const failed = results.find(([err]) => err);
        if (failed?.[0]) throw failed[0];
        for (const [at, g] of tails) this.answer(g, results[at]?.[1]);
      }
      for (const w of waiters) w.resolve();
    } catch (err) {
      for (const w of waiters) w.reject(err);
      for (const r of riders) r.reject(err);
    }
  }

  /** Hands each rider of `group` its part of the call's answer. */
  private answer(group: Rider[], answer: unknown): void {
    if (!Array.isArray(answer) || !this.tail) throw new Error('the flush tail gave no answer');
    const parts = this.tail.split(
      answer,
      group.map((r) => r.count),
    );
    group.forEach((r, i) => {
      r.resolve(parts[i] ?? []);
    });
  }
}

/** Riders in call order, cut into groups of about TAIL_ARGS arguments (a script call each). */
function riderGroups(riders: Rider[]): Rider[][] {
  const groups: Rider[][] = [];
  let group: Rider[] = [];
  let size = 0;
  for (const r of riders) {
    if (group.length > 0 && size + r.args.length > TAIL_ARGS) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push(r);
    size += r.args.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
