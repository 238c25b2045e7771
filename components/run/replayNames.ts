/**
 * Retry-from-failed replays a succeeded task as an immutable `identity` carrying its stored result (see
 * retryFromFailed.ts), under the same task id. The retry run's comment names the run it retries, so its
 * page can label each replayed task by the task it stands for (`TASK_A · replayed`), not `identity`.
 */

const PREFIX = 'Retry from failed of run ';

/** The comment a retry run is submitted with (celery-director's free-text `comment`). */
export function retryComment(runId: string): string {
  return `${PREFIX}${runId}`;
}

/** The run a retry run retries, from its comment. */
export function retriedRunId(comment: unknown): string | undefined {
  if (typeof comment !== 'string' || !comment.startsWith(PREFIX)) return undefined;
  const id = comment.slice(PREFIX.length).trim();
  return /^[A-Za-z0-9_.:-]{1,128}$/.test(id) ? id : undefined;
}

/**
 * Names of replayed tasks by id: a task this run ran as `identity` whose id the original run ran under
 * another name. `original` maps the original run's task ids to task names.
 */
export function replayedNames(
  tasks: Iterable<{ task_id: string; name: string }>,
  original: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tasks) {
    const name = original.get(t.task_id);
    if (t.name === 'identity' && name !== undefined && name !== 'identity') out.set(t.task_id, name);
  }
  return out;
}
