/**
 * Barrier release (celery-semantics.md 6.1, 6.2, 6.6): a chord applies its body with the header results
 * in header order, or marks its body with Celery's ChordError; the run root ends the run.
 */
import type { Json } from '../canvas/model';
import type { TaskError } from '../protocol/events';
import { callErrbacks, markRemainder } from './failure';
import { F_CANVAS, planArrays } from './planArrays';
import { exceptionRepr, pyException } from './python';
import { StepBuilder } from './step';
import { StepCollector, type StepOut } from './stepOut';
import type {
  BarrierMessage,
  Env,
  FinalLookup,
  PlanBarrier,
  PlanNode,
  PlanTask,
  RunPlan,
  Step,
} from './types';
import { flatMembers, nodeValue, valueLeaves } from './values';

/**
 * Task ids whose finals the interpreter must provide when releasing `barrier`. Call again with a lookup
 * of what you fetched: add_to_chord additions are then included; stop when nothing new is returned.
 */
export function barrierInputs(plan: RunPlan, barrier: BarrierMessage, known?: FinalLookup): string[] {
  const b = plan.barriers[barrier.barrier] as PlanBarrier;
  const ids: string[] = [];
  if (barrier.barrier === 0) {
    for (const t of plan.tasks) if (t.origin === 'canvas') ids.push(t.id);
  } else {
    const chord = plan.nodes[b.node] as Extract<PlanNode, { kind: 'chord' }>;
    for (const h of chord.header)
      for (const leaf of valueLeaves(plan, h)) ids.push((plan.tasks[leaf] as PlanTask).id);
  }
  for (const ti of adders(plan, barrier.barrier)) {
    const id = (plan.tasks[ti] as PlanTask).id;
    ids.push(id);
    const added = known?.(id)?.added;
    if (added) ids.push(...added);
  }
  return ids;
}

function adders(plan: RunPlan, barrierIndex: number): number[] {
  if (barrierIndex !== 0) return (plan.barriers[barrierIndex] as PlanBarrier).adders;
  const all: number[] = [];
  for (const b of plan.barriers) all.push(...b.adders);
  return all;
}

function addedIds(plan: RunPlan, barrierIndex: number, finals: FinalLookup): string[] {
  const out: string[] = [];
  for (const ti of adders(plan, barrierIndex)) {
    const added = finals((plan.tasks[ti] as PlanTask).id, ti)?.added;
    if (added) out.push(...added);
  }
  return out;
}

function failed(state: string | undefined): boolean {
  return state === 'FAILURE' || state === 'REVOKED';
}

/**
 * Releases a barrier whose children all finished: a chord applies its body with the header results in
 * header order, or (a member failed) marks the body with Celery's ChordError; the run root ends the run.
 */
export function onBarrierReleased(
  plan: RunPlan,
  barrier: BarrierMessage,
  finals: FinalLookup,
  env: Pick<Env, 'now' | 'events'>,
): Step {
  const out = new StepCollector(plan);
  onBarrierReleasedInto(out, plan, barrier.barrier, finals, env);
  return out.step;
}

/** `onBarrierReleased` of plan barrier `barrier`, answered into `out` (see `StepOut`). */
export function onBarrierReleasedInto(
  out: StepOut,
  plan: RunPlan,
  barrier: number,
  finals: FinalLookup,
  env: Pick<Env, 'now' | 'events'>,
): void {
  const s = new StepBuilder(plan, env.now, env.events, out);
  if (barrier === 0) {
    finishRun(s, finals);
    return;
  }
  const b = plan.barriers[barrier] as PlanBarrier;
  const chord = plan.nodes[b.node] as Extract<PlanNode, { kind: 'chord' }>;
  const header = flatMembers(plan, chord.header);
  // Culprit = first failed report in header order (Redis backend), then add_to_chord additions.
  // Finals are looked up with their plan index (no id lookup) for the header's own leaves.
  const leaves: number[] = [];
  for (const h of header) valueLeaves(plan, h, leaves);
  const extra = addedIds(plan, barrier, finals);
  let culprit: string | undefined;
  let cause: TaskError | undefined;
  const ids = planArrays(plan).ids;
  for (const leaf of leaves) {
    const id = ids[leaf] as string;
    const f = finals(id, leaf);
    if (failed(f?.state)) {
      culprit = id;
      cause = f?.error;
      break;
    }
  }
  if (culprit === undefined) culprit = extra.find((id) => failed(finals(id)?.state));
  if (culprit !== undefined) {
    cause ??= finals(culprit)?.error ?? pyException('Exception', 'unknown');
    const error = pyException('ChordError', `Dependency ${culprit} raised ${exceptionRepr(cause)}`);
    chordFailed(s, chord, error);
    return;
  }
  const values: Json[] = header.map((h) => nodeValue(plan, h, finals));
  for (const id of extra) values.push(finals(id)?.result ?? null);
  // Sending the body can itself raise (Task.typing): the Redis backend then fails the chord with
  // ChordError('Callback error: <repr>') (celery-semantics.md 6.2, "rarer paths").
  const sendError = s.checkApply(chord.body, [values], {});
  if (sendError !== null) {
    chordFailed(s, chord, pyException('ChordError', `Callback error: ${exceptionRepr(sendError)}`));
    return;
  }
  s.apply(chord.body, [values], {});
}

/** Header failure (celery-semantics.md 6.2): the body never runs; its value leaves are marked. */
function chordFailed(s: StepBuilder, chord: Extract<PlanNode, { kind: 'chord' }>, error: TaskError): void {
  const plan = s.plan;
  const body = plan.nodes[chord.body] as PlanNode;
  if (body.kind === 'group') {
    // Celery revokes a group body (issue #8786 handling); its members end REVOKED, no errbacks.
    for (const leaf of valueLeaves(plan, chord.body))
      s.markRevoked(plan.tasks[leaf] as PlanTask, leaf, 'chord header failed');
  } else {
    for (const leaf of valueLeaves(plan, chord.body)) {
      const t = plan.tasks[leaf] as PlanTask;
      s.markFailed(t, leaf, error);
      // Errbacks of the body are called through a fake request whose id is the body's id.
      callErrbacks(
        s,
        t.errbacks,
        { id: t.id, task: t.name, args: t.args, kwargs: t.kwargs, retries: 0 },
        error,
      );
    }
  }
  // Sane extension: the rest of an enclosing chain (a chain of chords) is marked like a chain failure.
  markRemainder(s, chord.next, error);
}

/** Run root released: status, top-level value (chain → last, group → list, chord → body), error. */
function finishRun(s: StepBuilder, finals: FinalLookup): void {
  const plan = s.plan;
  let firstFailed: TaskError | undefined;
  // The first failure among the canvas tasks in plan order, then the add_to_chord additions.
  // From the plan's arrays: a 100,000-task run reads no task object here.
  const { flags, ids } = planArrays(plan);
  const none = finals.failed !== undefined && finals.failed() === 0;
  for (let i = 0; i < ids.length && firstFailed === undefined && !none; i++) {
    if (((flags[i] as number) & F_CANVAS) === 0) continue;
    const f = finals(ids[i] as string, i);
    if (f !== undefined && failed(f.state)) firstFailed = f.error ?? pyException('Exception', f.state);
  }
  for (const id of none ? [] : addedIds(plan, 0, finals)) {
    if (firstFailed !== undefined) break;
    const f = finals(id);
    if (f !== undefined && failed(f.state)) firstFailed = f.error ?? pyException('Exception', f.state);
  }
  if (firstFailed === undefined) {
    const result = nodeValue(plan, plan.top, finals);
    s.event({ run_id: s.plan.run_id, at: s.now, type: 'run.finished', status: 'success', result });
    s.out.finish('success', result, undefined);
    return;
  }
  // The error reported is the top-level value's (what awaiting the canvas id reads), else the first failure.
  let error = firstFailed;
  for (const leaf of valueLeaves(plan, plan.top)) {
    const f = finals((plan.tasks[leaf] as PlanTask).id, leaf);
    if (f !== undefined && failed(f.state) && f.error !== undefined) {
      error = f.error;
      break;
    }
  }
  s.event({ run_id: s.plan.run_id, at: s.now, type: 'run.finished', status: 'failure', error });
  s.out.finish('failure', undefined, error);
}
