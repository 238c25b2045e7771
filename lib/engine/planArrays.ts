/**
 * The plan as flat arrays for the core's hot decisions, built once per plan and cached (plans are
 * immutable). What a finished attempt, a dispatch or a barrier release decides for a plan task — its
 * next chain step, the chord it reports to, whether it has callbacks, ignores its result or has
 * sending options — is read here instead of from the task's object, its node and its options, which
 * a 100,000-task plan spreads over tens of MB (one cache miss each). The objects stay the plan: these
 * arrays only repeat what they say. Both interpreters (the simulator, the cluster's workers) read them
 * through the same core.
 */
import type { PlanNode, PlanTask, RunPlan } from './types';

/** `flags` bits. */
export const F_CANVAS = 1;
export const F_LINKS = 2;
export const F_IGNORE_RESULT = 4;
/** `apply_countdown`, `eta` or `expires` (decided when the message is sent). */
export const F_SEND_TIME = 8;

export interface PlanArrays {
  /** Per plan task: its id (a dense list: the id without the task's object). */
  readonly ids: readonly string[];
  /** Per plan task: the `next` node of its own node (-1: none). */
  readonly next: Int32Array;
  /** Per plan task: the barrier index it reports to (-1: none). */
  readonly reports: Int32Array;
  /** Per plan task: `F_*` bits. */
  readonly flags: Uint8Array;
  /** Per plan node: the task index of a task node (-1: another kind). */
  readonly nodeTask: Int32Array;
  /**
   * Per plan task: an argument count known to bind (Celery's apply-time check) when the task is sent
   * with its own kwargs (-1: none known yet). A memo `checkApply` fills: the answer depends only on the
   * task's parameters, the count and the kwargs, all fixed for a plan.
   */
  readonly binds: Int32Array;
}

const ARRAYS = new WeakMap<RunPlan, PlanArrays>();
/**
 * The plan asked for last and its arrays: the core asks once or twice per transition, and a map lookup
 * each time would cost more than what the arrays save. Holds at most one plan beyond its use.
 */
let lastPlan: RunPlan | undefined;
let lastArrays: PlanArrays | undefined;

/** The plan's `PlanArrays` (built on first use, cached per plan). */
export function planArrays(plan: RunPlan): PlanArrays {
  if (plan === lastPlan) return lastArrays as PlanArrays;
  let a = ARRAYS.get(plan);
  if (a === undefined) {
    a = build(plan);
    ARRAYS.set(plan, a);
  }
  lastPlan = plan;
  lastArrays = a;
  return a;
}

function build(plan: RunPlan): PlanArrays {
  const n = plan.tasks.length;
  const ids = new Array<string>(n);
  const next = new Int32Array(n);
  const reports = new Int32Array(n);
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = plan.tasks[i] as PlanTask;
    ids[i] = t.id;
    next[i] = (plan.nodes[t.node] as PlanNode).next ?? -1;
    reports[i] = t.reports ?? -1;
    const o = t.options;
    let f = 0;
    if (t.origin === 'canvas') f |= F_CANVAS;
    if (t.links.length > 0) f |= F_LINKS;
    if (o.ignore_result === true) f |= F_IGNORE_RESULT;
    if (o.apply_countdown !== undefined || o.eta !== undefined || o.expires !== undefined) f |= F_SEND_TIME;
    flags[i] = f;
  }
  const nodeTask = new Int32Array(plan.nodes.length);
  for (let i = 0; i < plan.nodes.length; i++) {
    const node = plan.nodes[i] as PlanNode;
    nodeTask[i] = node.kind === 'task' ? node.task : -1;
  }
  return { ids, next, reports, flags, nodeTask, binds: new Int32Array(n).fill(-1) };
}
