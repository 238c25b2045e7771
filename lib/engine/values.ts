/**
 * What a canvas node is worth once it ran (celery-semantics.md 1, 5, 6.1): a task → its result; a chain →
 * its last step's; a group → the list of its members' (nested groups flattened); a chord → its body's.
 * The "value leaves" are the tasks whose finals make up that value: they are the chord reports and the
 * ids Celery marks when a chain fails before them.
 */
import type { Json } from '../canvas/model';
import { planArrays } from './planArrays';
import type { FinalLookup, PlanNode, PlanTask, RunPlan } from './types';

function nodeAt(plan: RunPlan, index: number): PlanNode {
  return plan.nodes[index] as PlanNode;
}

/** Plan task of a task node. */
export function taskAt(plan: RunPlan, index: number): PlanTask {
  return plan.tasks[index] as PlanTask;
}

/**
 * Flattened member lists, by the plan's own list (plans are immutable once built): a chord's release
 * and a run's end flatten the same lists on every run of a plan, and each look at a member is a node
 * object read (a cache miss on a big plan).
 */
const FLAT = new WeakMap<readonly number[], readonly number[]>();

/**
 * Members of a group with directly nested groups flattened (Celery flattens them): `members` itself
 * when none is a group, else a new list made once per list (both read only).
 */
export function flatMembers(plan: RunPlan, members: readonly number[]): readonly number[] {
  let flat = FLAT.get(members);
  if (flat === undefined) {
    flat = members;
    for (let i = 0; i < members.length; i++)
      if (nodeAt(plan, members[i] as number).kind === 'group') {
        flat = flattenInto(plan, members, []);
        break;
      }
    FLAT.set(members, flat);
  }
  return flat;
}

function flattenInto(plan: RunPlan, members: readonly number[], out: number[]): number[] {
  for (let i = 0; i < members.length; i++) {
    const m = members[i] as number;
    const node = nodeAt(plan, m);
    if (node.kind === 'group') flattenInto(plan, node.members, out);
    else out.push(m);
  }
  return out;
}

/** Task indices whose finals make up the node's value, in value order. */
export function valueLeaves(plan: RunPlan, index: number, out: number[] = []): number[] {
  // A task node (a chord header's members, most often) from the plan's arrays: no node object.
  const ti = planArrays(plan).nodeTask[index] as number;
  if (ti >= 0) {
    out.push(ti);
    return out;
  }
  const node = nodeAt(plan, index);
  switch (node.kind) {
    case 'task':
      out.push(node.task);
      break;
    case 'chain': {
      const last = node.steps[node.steps.length - 1];
      if (last !== undefined) valueLeaves(plan, last, out);
      break;
    }
    case 'group': {
      const members = flatMembers(plan, node.members);
      for (let i = 0; i < members.length; i++) valueLeaves(plan, members[i] as number, out);
      break;
    }
    case 'chord':
      valueLeaves(plan, node.body, out);
      break;
  }
  return out;
}

/** The node's value from stored finals (a missing final reads as `null`). */
export function nodeValue(plan: RunPlan, index: number, finals: FinalLookup): Json {
  const node = nodeAt(plan, index);
  switch (node.kind) {
    case 'task': {
      const final = finals(taskAt(plan, node.task).id, node.task);
      return final?.result ?? null;
    }
    case 'chain': {
      const last = node.steps[node.steps.length - 1];
      return last === undefined ? null : nodeValue(plan, last, finals);
    }
    case 'group': {
      // One pass over the members; a nested group (flattened) starts again over the flat list. A task
      // member's value is read through the plan's arrays (no node nor task object per member).
      const { ids, nodeTask } = planArrays(plan);
      let members: readonly number[] = node.members;
      let values = new Array<Json>(members.length);
      for (let i = 0; i < members.length; i++) {
        const m = members[i] as number;
        const ti = nodeTask[m] as number;
        if (ti >= 0) {
          values[i] = finals(ids[ti] as string, ti)?.result ?? null;
          continue;
        }
        if (nodeAt(plan, m).kind === 'group') {
          members = flatMembers(plan, node.members);
          values = new Array<Json>(members.length);
          for (let j = 0; j < members.length; j++) values[j] = nodeValue(plan, members[j] as number, finals);
          return values;
        }
        values[i] = nodeValue(plan, m, finals);
      }
      return values;
    }
    case 'chord':
      return nodeValue(plan, node.body, finals);
  }
}
