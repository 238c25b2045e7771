/**
 * BullMQ's worker errors in words for operators. When Redis comes back without its data (no AOF, a
 * FLUSHALL, keys deleted by hand) every job a worker still holds fails its lock renewal or its move to
 * finished with BullMQ's internal text ("could not renew lock for job 7", "Missing key for job 7.
 * moveToFinished"). That is one fact — the job is gone — said once per job, not once per attempt.
 */

const LOST_JOB = /(?:could not renew lock for job|Missing (?:key|lock) for job)\s+(\S+?)\.?(?:\s|$)/i;

/** The sentence for a worker error, or undefined when it is not about a job Redis no longer has. */
export function lostJobSentence(message: string): { jobId: string; sentence: string } | undefined {
  const m = LOST_JOB.exec(message);
  if (!m?.[1]) return undefined;
  const jobId = m[1];
  return {
    jobId,
    sentence: `Redis no longer has job ${jobId} (restarted without its data, or its keys were deleted): its run cannot finish — cancel or relaunch it.`,
  };
}

/** Says each lost job once; other errors pass through. Keeps at most `limit` job ids. */
export function workerErrorReporter(
  warn: (fields: Record<string, unknown>, message: string) => void,
  limit = 10_000,
): (err: Error) => void {
  const said = new Set<string>();
  return (err) => {
    const lost = lostJobSentence(err.message);
    if (!lost) {
      warn({ err: err.message }, 'worker error');
      return;
    }
    if (said.has(lost.jobId)) return;
    if (said.size >= limit) said.clear();
    said.add(lost.jobId);
    warn({ job: lost.jobId }, lost.sentence);
  };
}
