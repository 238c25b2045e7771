/**
 * Standard jobs (no delay, no priority, no parent) added many in one script call. BullMQ adds a job with
 * its `addStandardJob` script, one call each, and builds a Job object, its JSON and two msgpack payloads
 * per job on the client first: a submit of small runs paid more for its two header jobs than for the run
 * record. Here BullMQ's own script text (from the installed BullMQ, so its semantics — duplicate ids,
 * paused queues, the marker, the events stream — are the installed version's) runs once per job inside
 * one Lua function, the arguments it unpacked from msgpack handed to it as tables instead. Anything the
 * text does not look like (another BullMQ version) leaves this path unused: `Dispatcher` then adds with
 * `Queue.addBulk`, as it does for the jobs this path does not take.
 */
import { createRequire } from 'node:module';
import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** BullMQ's addStandardJob Lua (its KEYS: the 9 keys below), or undefined when not found as expected. */
function standardJobLua(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const mod = require('bullmq/dist/cjs/scripts/addStandardJob-9.js') as {
      addStandardJob?: { content?: unknown; keys?: unknown };
    };
    const content = mod.addStandardJob?.content;
    if (typeof content !== 'string' || mod.addStandardJob?.keys !== 9) return undefined;
    const args = 'local args = cmsgpack.unpack(ARGV[1])';
    const opts = 'local opts = cmsgpack.unpack(ARGV[3])';
    if (content.split(args).length !== 2 || content.split(opts).length !== 2) return undefined;
    return content.replace(args, 'local args = bulkArgs').replace(opts, 'local opts = bulkOpts');
  } catch {
    return undefined;
  }
}

/**
 * KEYS: addStandardJob's (wait, paused, meta, id, completed, delayed, active, events, marker). ARGV: the
 * queue's key prefix (`<prefix>:<queue>:`), the timestamp, then per job: id, name, data JSON, options
 * JSON (what BullMQ's option encoding gives for them: see `standardOptions`). Returns the number of jobs
 * then waiting in the queue (the dispatcher's backlog reading, bundle.ts), then what addStandardJob
 * returned for each job it refused (a negative error code), nothing for a job added or already there: the
 * caller only checks for refusals, and echoing every job id back cost ~50 bytes out per job.
 */
function bulkLua(standard: string): string {
  return `
local function addOne(KEYS, ARGV, bulkArgs, bulkOpts)
${standard}
end
local out = {0}
local ts = tonumber(ARGV[2])
for i = 3, #ARGV, 4 do
  local id = ARGV[i]
  local r = addOne(KEYS, {'', ARGV[i + 2], ''}, {ARGV[1], id, ARGV[i + 1], ts}, cjson.decode(ARGV[i + 3]))
  if type(r) ~= 'string' then out[#out + 1] = r end
end
out[1] = redis.call('LLEN', KEYS[1])
return out
`;
}

type BulkClient = Redis & {
  chordflowAddStandardJobs(...keysAndArgs: Array<string | number>): Promise<Array<string | number>>;
};

/** The job options this path takes (`jobOptions` in queues.ts without delay or priority). */
const STANDARD_KEYS = new Set(['jobId', 'attempts', 'backoff']);

/**
 * The options' JSON as BullMQ stores them for a standard job with an id, or undefined when `opts` is
 * not one this path takes. BullMQ's encoding renames none of these keys and drops undefined values.
 */
export function standardOptions(opts: JobsOptions): string | undefined {
  const id = opts.jobId;
  // Ids BullMQ refuses (all digits) or treats apart (with `:`) are left to BullMQ, which says why.
  if (typeof id !== 'string' || id === '' || id.includes(':') || `${Number.parseInt(id, 10)}` === id)
    return undefined;
  for (const k in opts) if (!STANDARD_KEYS.has(k)) return undefined;
  // BullMQ stores these two as given only as a number and an object (a number backoff is rewritten).
  if (opts.attempts !== undefined && !Number.isFinite(opts.attempts)) return undefined;
  if (opts.backoff !== undefined && (typeof opts.backoff !== 'object' || opts.backoff === null))
    return undefined;
  return JSON.stringify({ attempts: opts.attempts ?? 0, ...opts });
}

export interface StandardJob {
  name: string;
  data: unknown;
  opts: JobsOptions;
}

/** Adds standard jobs to queues in one script call each; undefined = this BullMQ is not supported. */
export class BulkAdder {
  private readonly redis: BulkClient | undefined;

  constructor(redis: Redis) {
    const standard = standardJobLua();
    if (!standard) return;
    this.redis = redis as BulkClient;
    if (typeof this.redis.chordflowAddStandardJobs !== 'function')
      redis.defineCommand('chordflowAddStandardJobs', { numberOfKeys: 9, lua: bulkLua(standard) });
  }

  /** Whether `jobs` can all go this way (this BullMQ is supported and each job is a standard one). */
  takes(jobs: readonly StandardJob[]): boolean {
    if (!this.redis) return false;
    for (const j of jobs) if (standardOptions(j.opts) === undefined) return false;
    return true;
  }

  /**
   * Adds `jobs` (each `takes` accepted) to `queue`; rejects when any was refused. Resolves to the number
   * of jobs waiting in the queue right after.
   */
  async add(queue: Queue, jobs: readonly StandardJob[]): Promise<number> {
    const redis = this.redis;
    if (!redis) throw new Error('bulk job adds are not supported with this BullMQ');
    const k = queue.keys;
    const args: Array<string | number> = [
      k.wait ?? '',
      k.paused ?? '',
      k.meta ?? '',
      k.id ?? '',
      k.completed ?? '',
      k.delayed ?? '',
      k.active ?? '',
      k.events ?? '',
      k.marker ?? '',
      k[''] ?? '',
      Date.now(),
    ];
    for (const j of jobs)
      args.push(
        j.opts.jobId ?? '',
        j.name,
        JSON.stringify(j.data === undefined ? {} : j.data),
        standardOptions(j.opts) ?? '',
      );
    const [waiting, refused] = await redis.chordflowAddStandardJobs(...args);
    if (refused !== undefined) throw new Error(`adding a job failed with BullMQ code ${String(refused)}`);
    return Number(waiting) || 0;
  }
}
