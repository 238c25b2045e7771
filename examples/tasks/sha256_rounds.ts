/**
 * Example task: a CPU-bound step. `sha256_rounds(text, rounds)` hashes `text` `rounds` times (key
 * stretching). It runs synchronously in the worker's event loop, so it checks the abort signal between
 * batches (a cancel or a time limit stops it) and yields to the loop now and then, so the worker keeps
 * renewing its BullMQ locks and the run's live events keep flowing. Give CPU-heavy tasks their own queue
 * (`queue: 'cpu'`) and a worker with low concurrency: `chordflow worker --queues cpu --concurrency 1`.
 *
 * Idempotent: the same input always gives the same digest, so a redelivered attempt is harmless.
 */
import { createHash } from 'node:crypto';
import type { UserTaskModule } from '../../server/tasks/registry';

const BATCH = 20_000;

const task: UserTaskModule = {
  name: 'sha256_rounds',
  description: 'Hash text N times with SHA-256 (a CPU-bound step); returns the hex digest',
  params: ['text', { name: 'rounds', kind: 'positional', default: 100_000 }],
  defaults: { queue: 'cpu', time_limit: 120, max_retries: 0 },
  sim: { duration_ms: { dist: 'normal', mean_ms: 800, sd_ms: 100 } },
  async run(args, _kwargs, ctx) {
    const [text, rounds = 100_000] = args;
    if (typeof text !== 'string') throw new TypeError('sha256_rounds needs a string to hash');
    if (typeof rounds !== 'number' || !Number.isInteger(rounds) || rounds < 1) {
      throw new RangeError(`rounds must be a positive integer, got ${JSON.stringify(rounds)}`);
    }
    let digest = Buffer.from(text, 'utf8');
    for (let done = 0; done < rounds; done += BATCH) {
      ctx.signal.throwIfAborted();
      const end = Math.min(rounds, done + BATCH);
      for (let i = done; i < end; i++) digest = createHash('sha256').update(digest).digest();
      // Let timers, lock renewals and the abort signal run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return digest.toString('hex');
  },
};

export default task;
