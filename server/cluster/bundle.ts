/**
 * Bundles: the members of a small header (a chord's or a group's, at most BUNDLE_MAX one-task members
 * of one barrier on one queue) sent as one job instead of one job each, when the queue has a backlog.
 *
 * Why: a BullMQ job costs its add, a fetch (`moveToActive`) and a finish (`moveToFinished`, ~110 µs of
 * Redis Lua alone), plus a store flush and a barrier completion per job. For independent small chord
 * runs that is most of a run's cost, and half of it is the second header member's job.
 *
 * When: only while the queue is backlogged (jobs sent in this tick plus the jobs last seen waiting in
 * the queue reach `bundleBacklog`, queues.ts). Then every worker slot is busy anyway and a member would
 * wait behind the others: running the header's members one after another in one slot costs no
 * parallelism. On an idle cluster each member is its own job, so a small header of slow tasks still
 * spreads over every worker. Bundles added together (a burst of independent small runs) are packed
 * further, up to PACKED_MAX members per job (`packBundles`): one job then carries several runs' headers.
 *
 * How a bundle runs (bundleRunner.ts): its members one after another, run by run, as if each had been
 * delivered alone (same events, writes and retries), each run's barrier completions recorded together
 * in one script call. Once the job has run `maxInlineMs`, the members not started yet go out as their
 * own jobs, so a slow member holds the others back for a moment at most. Redelivery re-runs the bundle (at-least-once, every
 * write idempotent by key, as for any redelivered job); the members' own keys stay registered in their
 * barrier, so completions, cleanup and the run's report do not know bundles exist.
 */
import type { Dispatch, RunPlan, TaskMessage } from '../../lib/engine/types';
import { isBundleData, type JobData } from './jobData';
import type { Dispatcher } from './queues';

/** Members per bundle at most: beyond this a header is a real fan-out and each member gets its own job. */
export const BUNDLE_MAX = 4;

/**
 * Members per job at most once bundles sent together are packed into one (`packBundles`): the small
 * headers of up to four independent two-task chords travel as one job.
 */
export const PACKED_MAX = 8;

/** The jobs' backlog from which small headers are bundled (queues.ts `DispatcherOptions.bundleBacklog`). */
export const DEFAULT_BUNDLE_BACKLOG = 64;

/** A dispatch of a task message (the jobs a dispatch adds: a barrier is not a job). */
export type TaskDispatch = Dispatch & { message: TaskMessage };

/** Whether task dispatch `d` may travel in a bundle: sent now, with no priority of its own. */
export function bundleable(d: TaskDispatch): boolean {
  return d.delay_ms <= 0 && d.message.priority === undefined;
}

/** One job's worth of a call's dispatches: a single message, or a bundle led by its first member. */
export type JobPlan = { one: TaskDispatch } | { first: TaskDispatch; members: TaskMessage[] };

/**
 * `dispatches` (one call's, all to one queue, in order) as jobs, each small header's members in one:
 * the dispatches of one barrier that `bundleable` accepts, when there are 2 to BUNDLE_MAX of them.
 * Undefined when nothing would be bundled (the caller keeps its one-job-per-message list).
 */
export function bundleJobs(dispatches: readonly TaskDispatch[]): JobPlan[] | undefined {
  const byBarrier = new Map<string, TaskDispatch[]>();
  for (const d of dispatches) {
    if (!bundleable(d)) continue;
    let members = byBarrier.get(d.message.barrier);
    if (!members) {
      members = [];
      byBarrier.set(d.message.barrier, members);
    }
    members.push(d);
  }
  const leaders = new Map<TaskDispatch, TaskMessage[]>();
  const inBundle = new Set<TaskDispatch>();
  for (const members of byBarrier.values()) {
    const first = members[0];
    if (!first || members.length < 2 || members.length > BUNDLE_MAX) continue;
    leaders.set(
      first,
      members.map((m) => m.message),
    );
    for (const m of members) inBundle.add(m);
  }
  if (leaders.size === 0) return undefined;
  const jobs: JobPlan[] = [];
  for (const d of dispatches) {
    const members = leaders.get(d);
    if (members) jobs.push({ first: d, members });
    else if (!inBundle.has(d)) jobs.push({ one: d });
  }
  return jobs;
}

/**
 * `jobs` (one queue's, added together) with their bundles packed into jobs of up to PACKED_MAX members,
 * in order: a burst of small runs sends each run's header as a bundle, and a BullMQ job costs the same
 * whether it carries two members or eight (its add, fetch and finish: ~40 % of Redis's work per small
 * chord run, and a fifth of the Node process's). A packed job may carry several runs' members; the
 * worker runs them run by run (bundleRunner.ts). It takes the *last* bundle's name and options, so its
 * id is the first member key of the run it runs last: that run's cleanup (runCleanup.ts), which waits
 * for a run's jobs still running, then waits for the whole job, and that run cannot end before the
 * job has run (or sent out) every other run's members. Other jobs stay as they are.
 */
export function packBundles<J extends { data: JobData }>(jobs: readonly J[]): J[] {
  const out: J[] = [];
  let open = -1; // index in `out` of the packed job still taking members
  for (const job of jobs) {
    const last = out[open];
    if (isBundleData(job.data) && last && isBundleData(last.data)) {
      if (last.data.u.length + job.data.u.length <= PACKED_MAX) {
        out[open] = { ...job, data: { u: [...last.data.u, ...job.data.u] } };
        continue;
      }
    }
    out.push(job);
    if (isBundleData(job.data)) open = out.length - 1;
  }
  return out;
}

/**
 * Sends a bundle's members that have not started as jobs of their own (their worker ran out of time
 * for them), after the writes waiting in `batch`. They were registered in their barrier by the step
 * that sent the bundle: their own jobs complete them. Never bundled again: a redelivered bundle finds
 * each one's job by its key.
 */
export async function sendApart(
  batch: { flush(): Promise<void> },
  dispatcher: Pick<Dispatcher, 'dispatch'>,
  plan: RunPlan,
  members: readonly TaskMessage[],
): Promise<void> {
  await batch.flush();
  await dispatcher.dispatch(
    plan,
    members.map((message) => ({ message, parentBarrier: message.barrier, delay_ms: 0 })),
    { bundle: false },
  );
}
