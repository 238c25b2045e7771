/**
 * BullMQ's worker errors in words for operators. BullMQ says the same few things ("could not renew lock
 * for job 7", "Missing lock for job 7. moveToFinished", "Lock mismatch for job 7…", "Missing key for job
 * 7. moveToFinished") for two different facts, said once per job, not once per attempt:
 * - the job is gone: Redis came back without its data (no AOF, a FLUSHALL, keys deleted by hand) — its
 *   run cannot finish;
 * - the job is still there but this worker lost its lock: the lock expired before it was renewed (the
 *   worker's event loop held longer than the lock, or Redis slow to answer), so BullMQ's stall check
 *   hands the job to a worker again and its task may run twice — the run goes on.
 * "Missing key" is the first; for the others the reporter asks Redis whether the job still exists.
 */

const LOST_JOB =
  /(?:could not renew lock for job|Missing (key|lock) for job|Lock mismatch for job)\s+(\S+?)\.?(?:\s|$)/i;

/** The job a lost-job error is about, and whether BullMQ already said its key is missing. */
export function lostJob(message: string): { jobId: string; keyMissing: boolean } | undefined {
  const m = LOST_JOB.exec(message);
  if (!m?.[2]) return undefined;
  return { jobId: m[2], keyMissing: m[1]?.toLowerCase() === 'key' };
}

/** The sentence for job `jobId`: `gone` when Redis no longer has it, else its lock was lost. */
export function lostJobSentence(jobId: string, gone: boolean, lockMs?: number): string {
  if (gone)
    return `Redis no longer has job ${jobId} (restarted without its data, or its keys were deleted): its run cannot finish — cancel or relaunch it.`;
  const lock = lockMs === undefined ? 'the job lock' : `the ${lockMs} ms job lock`;
  return `Job ${jobId} lost its lock: it was not renewed within ${lock} (this worker's event loop was busy that long, or Redis was slow to answer), so the job is handed to a worker again and its task may run twice; the run goes on.`;
}

/**
 * Says each lost job once; other errors pass through. Keeps at most `limit` job ids. `exists` says
 * whether Redis still has a job (then its lock was lost, not the job); without it, a lost lock is
 * reported as a lost lock.
 */
export function workerErrorReporter(
  warn: (fields: Record<string, unknown>, message: string) => void,
  options: { limit?: number; lockMs?: number; exists?: (jobId: string) => Promise<boolean> } = {},
): (err: Error) => void {
  const limit = options.limit ?? 10_000;
  const said = new Set<string>();
  return (err) => {
    const lost = lostJob(err.message);
    if (!lost) {
      warn({ err: err.message }, 'worker error');
      return;
    }
    if (said.has(lost.jobId)) return;
    if (said.size >= limit) said.clear();
    said.add(lost.jobId);
    const say = (gone: boolean) =>
      warn(
        { job: lost.jobId, ...(gone ? {} : { err: err.message }) },
        lostJobSentence(lost.jobId, gone, options.lockMs),
      );
    if (lost.keyMissing || !options.exists) {
      say(lost.keyMissing);
      return;
    }
    options.exists(lost.jobId).then(
      (there) => say(!there),
      // Redis away: the monitor reports the outage; what became of the job is not known yet.
      () => say(false),
    );
  };
}
