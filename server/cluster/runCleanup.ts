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
 * it is locked, or a packed bundle that has not completed and carries another run's members (bundle.ts
 * `packBundles`: its id is one run's key, and a worker that died while running it leaves it unlocked
 * until BullMQ hands it out again — removed, the other runs' members would be lost). Returns 1 removed,
 * 2 left (locked, or such a bundle), 0 no such job.
 */
const REMOVE_JOB_LUA = `
local function carriesOthers(jobKey, id)
  local data = redis.call('HGET', jobKey, 'data')
  if not data or string.sub(data, 1, 5) ~= '{"u":' then return false end
  if string.find(data, '"r":', 1, true) then return true end
  local run = string.match(id, '^[^.]*')
  for y in string.gmatch(data, '"y":"([^".]*)') do
    if y ~= run then return true end
  end
  return false
end
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
  if redis.call('EXISTS', jobKey .. ':lock') == 1 or carriesOthers(jobKey, id) then return 2 end
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
 * One page of a big run's barrier hash (HSCAN, about CLEAN_PAGE fields), its jobs removed unless locked,
 * in Redis: the fields were read back and sent again as job ids before (two strings per task of a big
 * run's client work and bytes each way). ARGV: the hash key, the cursor, the `barriers` queue key prefix,
 * the number of task queue key prefixes, the prefixes, the page size (HSCAN's COUNT). A member `<run>.t.…` is a task job (in the first
 * task queue that has it), any other member or a barrier (`<key>|p`) a `barriers` job. Returns the next
 * cursor and how many jobs were left because locked. The removals never touch the hash, so the scan
 * sees every field once across calls.
 */
const CLEAN_PAGE_LUA = `${REMOVE_JOB_LUA}
local h, cursor, barrierQueue, nq = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local page = redis.call('HSCAN', h, cursor, 'COUNT', tonumber(ARGV[5 + nq]))
local f = page[2]
local locked = 0
for j = 1, #f, 2 do
  local field = f[j]
  local bar = string.find(field, '|', 1, true)
  local id
  if not bar then
    id = field
  elseif string.sub(field, bar) == '|p' then
    id = string.sub(field, 1, bar - 1)
  end
  if id then
    local r = 0
    local dot = string.find(id, '.', 1, true)
    if dot and string.sub(id, dot + 1, dot + 2) == 't.' then
      for q = 5, nq + 4 do
        r = removeJob(ARGV[q], id)
        if r ~= 0 then break end
      end
    else
      r = removeJob(barrierQueue, id)
    end
    if r == 2 then locked = locked + 1 end
  end
end
return {page[1], locked}
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
  chordflowCleanPage(...args: Array<string | number>): Promise<[string, number]>;
  chordflowCleanRuns(...args: Array<string | number>): Promise<Array<'c' | 'd' | 'b'>>;
  chordflowClaimEnded(key: string, due: number, later: number, limit: number): Promise<string[]>;
};

/** Barrier hash fields per CLEAN_PAGE_LUA call (about as many jobs removed: one call never holds Redis long). */
const CLEAN_PAGE = 500;
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
    if (typeof this.redis.chordflowCleanPage !== 'function') {
      redis.defineCommand('chordflowCleanPage', { numberOfKeys: 0, lua: CLEAN_PAGE_LUA });
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

  /** Big runs, page by page of their barrier hash (CLEAN_PAGE_LUA). Returns the runs that are clean. */
  private async cleanPaged(runIds: readonly string[], prefixes: string[]): Promise<Set<string>> {
    const clean = new Set<string>();
    const queues = [`${this.prefix}:${BARRIER_QUEUE}:`, prefixes.length, ...prefixes, CLEAN_PAGE];
    for (const runId of runIds) {
      const hash = barrierHashKey(this.prefix, runId);
      let cursor = '0';
      let locked = 0;
      do {
        const [next, left] = await this.redis.chordflowCleanPage(hash, cursor, ...queues);
        cursor = next;
        locked += Number(left);
      } while (cursor !== '0');
      if (locked === 0) clean.add(runId);
    }
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
