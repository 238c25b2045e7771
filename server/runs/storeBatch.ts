/**
 * Group commit for the hot path: every job finishing in the same event-loop turn shares one pipeline,
 * and within it the event appends and chord header reports of one run become one script call (one
 * PUBLISH, in their order) and its task states one HSET. `flush` resolves once the pipeline that carried
 * the writes has been executed, so a job completes (and may release its barrier) only after its state
 * is in Redis.
 */
import type { Redis } from 'ioredis';
import { CHUNK, type EventInput, encodeEvent } from './eventCodec';
import type { AppendClient, RunStore } from './runStore';

/** Per run, in order: `e, <event>` pairs and `p, barrier, total, grow, at, chord_id` reports. */
interface RunLog {
  items: Array<string | number>;
  /** Events the items will append (reports count one each): calls are cut at CHUNK events. */
  events: number;
}

export class StoreBatch {
  private logs = new Map<string, RunLog[]>();
  private states = new Map<string, string[]>();
  private runFields: Array<{ runId: string; fields: Record<string, string> }> = [];
  private progressed = new Set<string>();
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;

  constructor(private readonly store: RunStore) {}

  private log(runId: string, adding: number): RunLog {
    let list = this.logs.get(runId);
    if (!list) {
      list = [];
      this.logs.set(runId, list);
    }
    let last = list[list.length - 1];
    if (!last || last.events + adding > CHUNK) {
      last = { items: [], events: 0 };
      list.push(last);
    }
    last.events += adding;
    return last;
  }

  appendEvents(runId: string, events: EventInput[]): void {
    for (const e of events) this.log(runId, 1).items.push('e', encodeEvent(e));
  }

  chordProgress(
    runId: string,
    barrierKey: string,
    chordId: string,
    initialTotal: number,
    grow: number,
    at: number,
  ): void {
    this.log(runId, 1).items.push(
      'p',
      barrierKey,
      initialTotal,
      grow,
      Math.round(at),
      JSON.stringify(chordId),
    );
  }

  /** Final states by task id (a Map: task ids are user text). */
  setTaskStates(runId: string, states: ReadonlyMap<string, unknown>): void {
    let buf = this.states.get(runId);
    for (const [id, state] of states) {
      if (!buf) {
        buf = [];
        this.states.set(runId, buf);
      }
      buf.push(id, JSON.stringify(state));
    }
  }

  setRunFields(runId: string, fields: Record<string, string>): void {
    this.runFields.push({ runId, fields });
  }

  /** The run's first task started: `pending` → `progress` (only from pending; see MARK_PROGRESS_LUA). */
  markProgress(runId: string): void {
    this.progressed.add(runId);
  }

  /** Resolves when everything added so far is written. */
  flush(): Promise<void> {
    const empty =
      this.logs.size === 0 &&
      this.states.size === 0 &&
      this.runFields.length === 0 &&
      this.progressed.size === 0;
    if (empty && this.waiters.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.run());
    }
    return done;
  }

  private build(): ReturnType<Redis['pipeline']> | undefined {
    const k = this.store.keys;
    const p = this.store.redis.pipeline();
    const client = p as unknown as AppendClient;
    let n = 0;
    // States first: a task's final is in place before its events announce it.
    for (const [runId, fields] of this.states) {
      p.hset(k.tasks(runId), ...fields);
      n++;
    }
    for (const [runId, list] of this.logs) {
      for (const log of list) {
        client.chordflowAppendMixed(k.events(runId), k.eventsChannel, k.progress(runId), runId, ...log.items);
        n++;
      }
    }
    const now = this.progressed.size > 0 ? new Date().toISOString() : '';
    for (const runId of this.progressed) {
      client.chordflowMarkProgress(k.run(runId), now);
      n++;
    }
    for (const op of this.runFields) {
      p.hset(k.run(op.runId), op.fields);
      n++;
    }
    this.progressed = new Set();
    this.logs = new Map();
    this.states = new Map();
    this.runFields = [];
    return n > 0 ? p : undefined;
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    try {
      const pipeline = this.build();
      if (pipeline) {
        const results = await pipeline.exec();
        const failed = results?.find(([err]) => err);
        if (failed?.[0]) throw failed[0];
      }
      for (const w of waiters) w.resolve();
    } catch (err) {
      for (const w of waiters) w.reject(err);
    }
  }
}
