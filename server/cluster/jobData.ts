/**
 * What a BullMQ job stores as its data: the core's message minus what the job id and the run's stored
 * plan already say. A task message repeated its key (= the job id), its task id, name and barrier key
 * (= the plan task's, run id included) in every job; stored once per run in the plan instead, a job of
 * a 10,000-task group is a third of the bytes Redis parses, stores and hands back on every fetch.
 *
 * Only what equals the plan is left out, so any message the core makes (a chain step with the previous
 * result in its args, a retry, a replacement, an add_to_chord addition) round-trips exactly.
 */
import type { BarrierMessage, Message, RunPlan, TaskMessage } from '../../lib/engine/types';

/**
 * A stored task message: `t` plan task index; `r` run id, unless the job id says it (`runIdOf`); `a`
 * args, unless they are the plan task's own (a group member, a chain's first step); the rest only
 * where it differs from the plan.
 */
export interface TaskJobData {
  r?: string;
  t: number;
  a?: TaskMessage['args'];
  k?: TaskMessage['kwargs'];
  /** retries, when > 0 */
  n?: number;
  /** attempt_offset, when > 0 */
  o?: number;
  id?: string;
  name?: string;
  b?: string;
  x?: number;
  p?: number;
  d?: TaskMessage['dynamic'];
}

/** A stored barrier message: `r` run id (unless the job id says it), `i` barrier index, `total`. */
export interface BarrierJobData {
  r?: string;
  i: number;
  total: number;
}

/**
 * A bundle (bundle.ts): several task messages in one job — a small header's members, or several headers'
 * (of several runs) packed together — each as a `TaskJobData` with `y` its own key (a member's job id,
 * had it been sent alone; it names the member's run, unless `r` does). The job's id is the first
 * member's key.
 */
export interface BundleJobData {
  u: Array<TaskJobData & { y: string }>;
}

/** Jobs written before this encoding carried the whole message (still read: runs survive upgrades). */
export type JobData = TaskJobData | BarrierJobData | BundleJobData | Message;

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * The run id a job id (= message key, `<run id>.…`) says, when it says it unambiguously: the run id has
 * no `.` of its own (a UUID, as every submit makes by default); undefined otherwise.
 */
function runIdOf(key: string): string | undefined {
  const dot = key.indexOf('.');
  return dot > 0 ? key.slice(0, dot) : undefined;
}

/** Whether the job id `key` says `runId` (then the data need not). */
function keySays(key: string, runId: string): boolean {
  return runIdOf(key) === runId;
}

/** The job data of `m` (its key becomes the job id). */
export function encodeJobData(plan: RunPlan, m: Message): TaskJobData | BarrierJobData {
  if (m.kind === 'barrier')
    return keySays(m.key, m.run_id)
      ? { i: m.barrier, total: m.total }
      : { r: m.run_id, i: m.barrier, total: m.total };
  const t = m.task >= 0 ? plan.tasks[m.task] : undefined;
  const data: TaskJobData = { t: m.task };
  if (!keySays(m.key, m.run_id)) data.r = m.run_id;
  // The same array as the plan's (the core sends a task's own args as they are): not stored again.
  if (m.args !== t?.args) data.a = m.args;
  if (!isEmpty(m.kwargs)) data.k = m.kwargs;
  if (m.retries !== 0) data.n = m.retries;
  if (m.attempt_offset !== 0) data.o = m.attempt_offset;
  if (m.task_id !== t?.id) data.id = m.task_id;
  if (m.name !== t?.name) data.name = m.name;
  if (m.barrier !== t?.barrier) data.b = m.barrier;
  if (m.expires_at !== undefined) data.x = m.expires_at;
  if (m.priority !== undefined) data.p = m.priority;
  if (m.dynamic !== undefined) data.d = m.dynamic;
  return data;
}

/** The job data of a bundle of task messages (`messages[0].key` becomes the job id). */
export function encodeBundleData(plan: RunPlan, messages: readonly TaskMessage[]): BundleJobData {
  return { u: messages.map((m) => ({ ...(encodeJobData(plan, m) as TaskJobData), y: m.key })) };
}

/** Whether job data is a bundle's. */
export function isBundleData(data: JobData): data is BundleJobData {
  return 'u' in data;
}

/** The task messages a bundle job carries, in order. */
export function decodeBundleData(plan: RunPlan, data: BundleJobData): TaskMessage[] {
  return data.u.map((d) => decodeJobData(plan, d.y, d) as TaskMessage);
}

/**
 * A bundle's members grouped by run, in order, each group as its run's own bundle data: a packed bundle
 * (bundle.ts `packBundles`) carries several runs' small headers; an unpacked one is one group.
 */
export function bundleRuns(data: BundleJobData): Array<{ runId: string; data: BundleJobData }> {
  const groups: Array<{ runId: string; data: BundleJobData }> = [];
  for (const member of data.u) {
    const runId = member.r ?? runIdOf(member.y) ?? '';
    const last = groups[groups.length - 1];
    if (last && last.runId === runId) last.data.u.push(member);
    else groups.push({ runId, data: { u: [member] } });
  }
  return groups;
}

/** The run a job belongs to (read before the plan is at hand), from its data or its id `key`. */
export function jobRunId(data: JobData, key: string): string {
  if ('kind' in data) return data.run_id;
  if ('u' in data) return data.u[0]?.r ?? runIdOf(data.u[0]?.y ?? key) ?? '';
  return data.r ?? runIdOf(key) ?? '';
}

/** The message a job carries, back in the core's shape (`key` = the job id); not a bundle's. */
export function decodeJobData(plan: RunPlan, key: string, data: Exclude<JobData, BundleJobData>): Message {
  if ('kind' in data) return data;
  const runId = data.r ?? runIdOf(key) ?? '';
  if ('i' in data) {
    const b: BarrierMessage = { kind: 'barrier', key, run_id: runId, barrier: data.i, total: data.total };
    return b;
  }
  const t = data.t >= 0 ? plan.tasks[data.t] : undefined;
  const m: TaskMessage = {
    kind: 'task',
    key,
    run_id: runId,
    task_id: data.id ?? t?.id ?? '',
    name: data.name ?? t?.name ?? '',
    args: data.a ?? t?.args ?? [],
    kwargs: data.k ?? {},
    retries: data.n ?? 0,
    task: data.t,
    barrier: data.b ?? t?.barrier ?? '',
    attempt_offset: data.o ?? 0,
  };
  if (data.x !== undefined) m.expires_at = data.x;
  if (data.p !== undefined) m.priority = data.p;
  if (data.d !== undefined) m.dynamic = data.d;
  return m;
}
