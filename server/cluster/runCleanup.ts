/**
 * Removing a run's jobs once it ended or was canceled. Jobs are kept while the run lives (a
 * deterministic job id is idempotent only while the job exists); every job of a run is a member of one
 * of its barriers (barrier.ts), so the run's barrier hash lists them all.
 *
 * A run that ends (or is canceled) is put in the `ended` sorted set, scored by when to clean it; any
 * worker's sweeper claims due runs (moving their score on, so others leave them alone), removes their
 * jobs in batches (never holding Redis for long) and the barrier hash, and drops them from the set.
 * A job that is still locked (the job that ended the run has not completed yet, a canceled run's task
 * still running) is left, and its run is swept again later. A crashed worker's runs are swept by others.
 */
import type { Redis } from 'ioredis';
import { barrierHashKey, endedKey } from './barrier';
import { BARRIER_QUEUE, DEFAULT_TASK_QUEUE, taskQueueName } from './queues';

/**
 * `removeJob(qp, id)`: removes job `id` of the queue with key prefix `qp` (`<prefix>:<queue>:`) unless
 * it is locked. Returns 1 removed, 2 locked (left), 0 no such job.
 */
const REMOVE_JOB_LUA = `
local function removeJob(qp, id)
  local jobKey = qp .. id
  -- Most jobs of an ended run are completed, and a completed job holds no lock (BullMQ removes it when
  -- the job finishes; nothing moves a job out of completed but a retry, which takes it off the set):
  -- one ZREM settles it, instead of an EXISTS for the job and one for its lock.
  if redis.call('ZREM', qp .. 'completed', id) == 1 then
    redis.call('DEL', jobKey, jobKey .. ':logs')
    return 1
  end
  if redis.call('EXISTS', jobKey) == 0 then return 0 end
  if redis.call('EXISTS', jobKey .. ':lock') == 1 then return 2 end
  redis.call('ZREM', qp .. 'delayed', id)
  redis.call('ZREM', qp .. 'prioritized', id)
  redis.call('ZREM', qp .. 'failed', id)
  if redis.call('LREM', qp .. 'wait', 1, id) == 0 then
    if redis.call('LREM', qp .. 'paused', 1, id) == 0 then
      redis.call('LREM', qp .. 'active', 1, id)
    end
  end
  redis.call('DEL', jobKey, jobKey .. ':logs')
  return 1
end
`;

/**
 * Removes jobs that are not locked. ARGV: [1] number of queue key prefixes (`<prefix>:<queue>:`), the
 * prefixes (a job id is in one queue: the first that has it), then job ids. Returns the ids left
 * because locked.
 */
const REMOVE_JOBS_LUA = `${REMOVE_JOB_LUA}
local nq = tonumber(ARGV[1])
local left = {}
for i = nq + 2, #ARGV do
  local id = ARGV[i]
  for q = 2, nq + 1 do
    local r = removeJob(ARGV[q], id)
    if r == 2 then left[#left + 1] = id end
    if r ~= 0 then break end
  end
end
return left
`;

/**
 * Cleans small ended runs whole, one script call for many (a sweep would otherwise spend a command per
 * run on its barrier hash alone). ARGV: the run key prefix (`<prefix>:run:`; barrier.ts's hash is
 * `<run key>:barrier`), the `barriers` queue key prefix, the most hash fields a run may have here, the
 * number of task queue key prefixes, the prefixes, then run ids. Per run, from its barrier hash: each
 * member `<run>.t.…` is a task job (in the first task queue that has it); a barrier is a `barriers` job
 * only when the submit released it (`|r` = `<run>.submit`: an empty header, client.ts — no other
 * barrier has a job, so the others cost nothing here). With no job left locked the hash goes too.
 * Answers per run `c` clean, `d` dirty (a job is locked), `b` big (more fields: cleaned in pages by the
 * caller).
 */
const CLEAN_RUNS_LUA = `${REMOVE_JOB_LUA}
local runPrefix, barrierQueue, maxFields, nq = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
for i = nq + 5, #ARGV do
  local id = ARGV[i]
  local h = runPrefix .. id .. ':barrier'
  if redis.call('HLEN', h) > maxFields then
    out[#out + 1] = 'b'
  else
    local f = redis.call('HGETALL', h)
    local taskHead = id .. '.t.'
    local submit = id .. '.submit'
    local locked = false
    for j = 1, #f, 2 do
      local field = f[j]
      local bar = string.find(field, '|', 1, true)
      local r = 0
      if not bar then
        if string.sub(field, 1, #taskHead) == taskHead then
          for q = 5, nq + 4 do
            r = removeJob(ARGV[q], field)
            if r ~= 0 then break end
          end
        end
      elseif f[j + 1] == submit and string.sub(field, bar) == '|r' then
        r = removeJob(barrierQueue, string.sub(field, 1, bar - 1))
      end
      if r == 2 then locked = true end
    end
    if locked then
      out[#out + 1] = 'd'
    else
      redis.call('UNLINK', h)
      out[#out + 1] = 'c'
    end
  end
end
return out
`;

/** Claims up to ARGV[3] runs due by ARGV[1], rescheduling them at ARGV[2]. */
const CLAIM_LUA = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
`;

type CleanupClient = Redis & {
  chordflowRemoveJobs(...args: Array<string | number>): Promise<string[]>;
  chordflowCleanRuns(...args: Array<string | number>): Promise<Array<'c' | 'd' | 'b'>>;
  chordflowClaimEnded(key: string, due: number, later: number, limit: number): Promise<string[]>;
};

const JOBS_PER_CALL = 500;
/** A run is swept this long after it ended (the job that ended it completes meanwhile). */
export const SWEEP_DELAY_MS = 500;
/** A claimed run that could not be cleaned whole is tried again after this long. */
const RETRY_MS = 3000;
const RUNS_PER_CLAIM = 100;
/** A run whose barrier hash has more fields is cleaned in pages (HSCAN), not whole in CLEAN_RUNS_LUA. */
const SMALL_RUN_FIELDS = 64;

export class RunCleanup {
  private readonly redis: CleanupClient;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    redis: Redis,
    readonly prefix: string,
  ) {
    this.redis = redis as CleanupClient;
    if (typeof this.redis.chordflowRemoveJobs !== 'function') {
      redis.defineCommand('chordflowRemoveJobs', { numberOfKeys: 0, lua: REMOVE_JOBS_LUA });
      redis.defineCommand('chordflowCleanRuns', { numberOfKeys: 0, lua: CLEAN_RUNS_LUA });
      redis.defineCommand('chordflowClaimEnded', { numberOfKeys: 1, lua: CLAIM_LUA });
    }
  }

  /**
   * Schedules the removal of `runId`'s jobs (run ended or canceled). The runs that end in the same
   * event-loop turn go in one ZADD.
   */
  ended(runId: string, delayMs = SWEEP_DELAY_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      this.endings.push({ args: [Date.now() + delayMs, runId], resolve, reject });
      if (this.endings.length === 1) setImmediate(() => this.writeEndings());
    });
  }

  private endings: Array<{ args: [number, string]; resolve: () => void; reject: (e: unknown) => void }> = [];

  private writeEndings(): void {
    const endings = this.endings;
    this.endings = [];
    this.redis.zadd(endedKey(this.prefix), ...endings.flatMap((e) => e.args)).then(
      () => {
        for (const e of endings) e.resolve();
      },
      (err: unknown) => {
        for (const e of endings) e.reject(err);
      },
    );
  }

  /**
   * Removes every job of `runId` that is not locked, then (when none was) its barrier hash. True when
   * the run is clean.
   */
  async clean(runId: string): Promise<boolean> {
    return (await this.cleanMany([runId])).has(runId);
  }

  /** Task queue key prefixes a run's task jobs may be in (named queues runs have sent to, from the run store). */
  private async taskPrefixes(): Promise<string[]> {
    const named = await this.redis.smembers(`${this.prefix}:queues`);
    const queues = new Set([DEFAULT_TASK_QUEUE, ...named.map(taskQueueName)]);
    return [...queues].map((q) => `${this.prefix}:${q}:`);
  }

  /**
   * Removes jobs `ids` (a task message's in a task queue, a barrier's in `barriers`: its key says which,
   * `<run>.t.…` or not); returns those left because locked.
   */
  private async removeJobs(ids: readonly string[], taskPrefixes: string[]): Promise<string[]> {
    const barrierPrefix = [`${this.prefix}:${BARRIER_QUEUE}:`];
    const tasks: string[] = [];
    const bars: string[] = [];
    for (const id of ids) (isTaskKey(id) ? tasks : bars).push(id);
    const locked: string[] = [];
    for (const [list, prefixes] of [
      [tasks, taskPrefixes],
      [bars, barrierPrefix],
    ] as const) {
      for (let i = 0; i < list.length; i += JOBS_PER_CALL) {
        const part = list.slice(i, i + JOBS_PER_CALL);
        locked.push(...(await this.redis.chordflowRemoveJobs(prefixes.length, ...prefixes, ...part)));
      }
    }
    return locked;
  }

  /**
   * `clean` for many runs at once: small runs whole, RUNS_PER_CLAIM per script call (CLEAN_RUNS_LUA);
   * the others (`cleanPaged`) by pages of their barrier hash. Returns the runs that are clean.
   */
  async cleanMany(runIds: readonly string[]): Promise<Set<string>> {
    const prefixes = await this.taskPrefixes();
    const clean = new Set<string>();
    const big: string[] = [];
    const head = [
      `${this.prefix}:run:`,
      `${this.prefix}:${BARRIER_QUEUE}:`,
      SMALL_RUN_FIELDS,
      prefixes.length,
    ];
    for (let i = 0; i < runIds.length; i += RUNS_PER_CLAIM) {
      const part = runIds.slice(i, i + RUNS_PER_CLAIM);
      const answer = await this.redis.chordflowCleanRuns(...head, ...prefixes, ...part);
      part.forEach((runId, j) => {
        if (answer[j] === 'c') clean.add(runId);
        else if (answer[j] === 'b') big.push(runId);
      });
    }
    if (big.length > 0) for (const runId of await this.cleanPaged(big, prefixes)) clean.add(runId);
    return clean;
  }

  /**
   * Big runs: their first HSCAN pages, removal calls and final UNLINK are shared; a run's further pages go
   * one by one. Returns the runs that are clean.
   */
  private async cleanPaged(runIds: readonly string[], prefixes: string[]): Promise<Set<string>> {
    const clean = new Set<string>();
    const firstPages = await Promise.all(
      runIds.map((id) => this.redis.hscan(barrierHashKey(this.prefix, id), '0', 'COUNT', 1000)),
    );
    const owner = new Map<string, string>();
    const big: Array<[string, string]> = [];
    runIds.forEach((runId, i) => {
      const [cursor, flat] = firstPages[i] ?? ['0', []];
      for (const id of jobIds(flat)) owner.set(id, runId);
      if (cursor !== '0') big.push([runId, cursor]);
    });
    const dirty = new Set<string>();
    for (const id of await this.removeJobs([...owner.keys()], prefixes)) dirty.add(owner.get(id) ?? '');
    for (let [runId, cursor] of big) {
      do {
        const [next, flat] = await this.redis.hscan(
          barrierHashKey(this.prefix, runId),
          cursor,
          'COUNT',
          1000,
        );
        cursor = next;
        if ((await this.removeJobs([...new Set(jobIds(flat))], prefixes)).length > 0) dirty.add(runId);
      } while (cursor !== '0');
    }
    for (const runId of runIds) if (!dirty.has(runId)) clean.add(runId);
    if (clean.size > 0) await this.redis.unlink(...[...clean].map((id) => barrierHashKey(this.prefix, id)));
    return clean;
  }

  /** Cleans the runs that are due; true when it claimed a full batch (there may be more). */
  async sweepOnce(now = Date.now()): Promise<boolean> {
    const key = endedKey(this.prefix);
    const runs = await this.redis.chordflowClaimEnded(key, now, now + RETRY_MS, RUNS_PER_CLAIM);
    if (runs.length === 0 || this.stopped) return false;
    const clean = await this.cleanMany(runs);
    if (clean.size > 0) await this.redis.zrem(key, ...clean);
    return runs.length === RUNS_PER_CLAIM;
  }

  /** Sweeps every `intervalMs` (and at once again while there is more) until `stop`. */
  start(intervalMs = 1000, onError?: (err: unknown) => void): void {
    const tick = async () => {
      this.timer = undefined;
      let more = true;
      try {
        while (more && !this.stopped) more = await this.sweepOnce();
      } catch (err) {
        onError?.(err);
      }
      if (!this.stopped) {
        this.timer = setTimeout(() => {
          this.sweeping = tick();
        }, intervalMs);
        this.timer.unref();
      }
    };
    this.timer = setTimeout(() => {
      this.sweeping = tick();
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sweeping;
  }
}

/** Job ids in an HSCAN page of a barrier hash: members, and barriers (a `barriers` job, rarely). */
function jobIds(flat: string[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const field = flat[i] ?? '';
    const bar = field.indexOf('|');
    if (bar < 0) ids.push(field);
    else if (field.endsWith('|p')) ids.push(field.slice(0, bar));
  }
  return ids;
}

/** A task message's key (`<run>.t.<task id>…`; the run id part has no `.`): its job is in a task queue. */
function isTaskKey(id: string): boolean {
  const dot = id.indexOf('.');
  return dot >= 0 && id.startsWith('t.', dot + 1);
}
