/**
 * The plan as flat arrays for the core's hot decisions, built once per plan and cached (plans are
 * immutable). What a finished attempt, a dispatch or a barrier release decides for a plan task — its
 * next chain step, the chord it reports to, whether it has callbacks, ignores its result or has
 * sending options — is read here instead of from the task's object, its node and its options, which
 * a 100,000-task plan spreads over tens of MB (one cache miss each). The objects stay the plan: these
 * arrays only repeat what they say. Both interpreters (the simulator, the cluster's workers) read them
 * through the same core.
 */
import type { Json, JsonObject } from '../canvas/model';
import { barrierIndexOf } from './planIndex';
import type { PlanNode, PlanTask, RunPlan } from './types';

/** `flags` bits. */
export const F_CANVAS = 1;
export const F_LINKS = 2;
export const F_IGNORE_RESULT = 4;
/** `apply_countdown`, `eta` or `expires` (decided when the message is sent). */
export const F_SEND_TIME = 8;
export const F_IMMUTABLE = 16;
/** The task's own kwargs are empty. */
export const F_NO_KWARGS = 32;
/** A Celery `priority` (its messages are not plain plan messages). */
export const F_PRIORITY = 64;

export interface PlanArrays {
  /** Per plan task: the index in `plan.barriers` of the barrier its messages go under (-1: none). */
  readonly barrier: Int32Array;
  /** Per plan task: its id (a dense list: the id without the task's object). */
  readonly ids: readonly string[];
  /** Per plan task: its message key (`PlanTask.key`). */
  readonly keys: readonly string[];
  /** Per plan task: its own args and kwargs (`PlanTask.args`/`kwargs`, the same lists). */
  readonly args: ReadonlyArray<Json[]>;
  readonly kwargs: readonly JsonObject[];
  /** Per plan task: the `next` node of its own node (-1: none). */
  readonly next: Int32Array;
  /** Per plan task: the barrier index it reports to (-1: none). */
  readonly reports: Int32Array;
  /** Per plan task: `F_*` bits. */
  readonly flags: Uint8Array;
  /** Per plan node: the task index of a task node (-1: another kind). */
  readonly nodeTask: Int32Array;
  /** Per plan task: how many own args it has. */
  readonly argc: Int32Array;
  /** Per plan task: its name's index in `names` (task names interned once per plan). */
  readonly nameIndex: Int32Array;
  readonly names: readonly string[];
  /**
   * Per name: bit `n` set when a send of `n` positional arguments and no kwargs is known to bind
   * (Celery's apply-time check, `checkApply`), filled as sends are checked: the answer depends only on
   * the name's parameters (fixed for a plan) and the count.
   */
  readonly binds: Int32Array;
  /** Whether any plan task has a simulation model (`PlanTask.sim`; the simulator's question). */
  readonly models: boolean;
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
  const keys = new Array<string>(n);
  const args = new Array<Json[]>(n);
  const kwargs = new Array<JsonObject>(n);
  const next = new Int32Array(n);
  const reports = new Int32Array(n);
  const flags = new Uint8Array(n);
  const argc = new Int32Array(n);
  const nameIndex = new Int32Array(n);
  const names: string[] = [];
  const nameAt = new Map<string, number>();
  const barrier = new Int32Array(n);
  let models = false;
  let lastName: string | undefined;
  let last = -1;
  // Runs of tasks under the same barrier share the key string: one map lookup per run of them.
  let lastKey: string | undefined;
  let lastBarrier = -1;
  for (let i = 0; i < n; i++) {
    const t = plan.tasks[i] as PlanTask;
    ids[i] = t.id;
    keys[i] = t.key;
    args[i] = t.args;
    kwargs[i] = t.kwargs;
    if (t.sim !== undefined) models = true;
    if (t.barrier !== lastKey) {
      lastKey = t.barrier;
      lastBarrier = barrierIndexOf(plan, t.barrier) ?? -1;
    }
    barrier[i] = lastBarrier;
    argc[i] = t.args.length;
    if (t.name !== lastName) {
      lastName = t.name;
      let k = nameAt.get(t.name);
      if (k === undefined) {
        k = names.length;
        names.push(t.name);
        nameAt.set(t.name, k);
      }
      last = k;
    }
    nameIndex[i] = last;
    next[i] = (plan.nodes[t.node] as PlanNode).next ?? -1;
    reports[i] = t.reports ?? -1;
    const o = t.options;
    let f = 0;
    if (t.origin === 'canvas') f |= F_CANVAS;
    if (t.links.length > 0) f |= F_LINKS;
    if (o.ignore_result === true) f |= F_IGNORE_RESULT;
    if (o.apply_countdown !== undefined || o.eta !== undefined || o.expires !== undefined) f |= F_SEND_TIME;
    if (t.immutable) f |= F_IMMUTABLE;
    if (isEmpty(t.kwargs)) f |= F_NO_KWARGS;
    if (o.priority !== undefined) f |= F_PRIORITY;
    flags[i] = f;
  }
  const nodeTask = new Int32Array(plan.nodes.length);
  for (let i = 0; i < plan.nodes.length; i++) {
    const node = plan.nodes[i] as PlanNode;
    nodeTask[i] = node.kind === 'task' ? node.task : -1;
  }
  return {
    barrier,
    ids,
    keys,
    args,
    kwargs,
    next,
    reports,
    flags,
    nodeTask,
    argc,
    nameIndex,
    names,
    binds: new Int32Array(names.length),
    models,
  };
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}
