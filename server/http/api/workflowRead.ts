/**
 * The reads of a run that grow with it: GET /api/workflows/<id> (a task object per task) and
 * GET /api/workflows/<id>/report. Both fold the whole event log and serialise thousands of objects —
 * seconds of CPU for a 20,000-task run — so `serve` makes them on its run thread (server/cluster/
 * submitThread.ts) and the web process only writes the bytes; without the thread (tests from sources)
 * they run inline. The answers are UTF-8 bytes, handed over without copying.
 */
import type { RunPlan } from '../../../lib/engine/types';
import { planQueues } from '../../ops/queueCheck';
import { isValidRunId } from '../../runs/keys';
import { runReport } from '../../runs/report';
import type { DirectorStatus, RunStore } from '../../runs/runStore';
import { taskObjects, type WorkflowObject, workflowObject } from './directorView';

export interface WorkflowRead {
  workflow: WorkflowObject;
  status: DirectorStatus;
  /** Queue → some task names of the run (planQueues), for `waiting_for`; empty once it finished. */
  queues: Array<[string, string[]]>;
  /** The `tasks` array as JSON. */
  tasks: Uint8Array;
}

const utf8 = new TextEncoder();

/** Workflow object, queues and task objects of run `id`; undefined when there is no such run. */
export async function readWorkflow(store: RunStore, id: string): Promise<WorkflowRead | undefined> {
  if (!isValidRunId(id)) return undefined;
  const run = await store.getRun(id);
  if (!run) return undefined;
  const plan = await store.getPlan<RunPlan>(id);
  const report = runReport(id, await store.readEvents(id));
  const open = run.status === 'pending' || run.status === 'progress';
  return {
    workflow: workflowObject(run),
    status: run.status,
    queues: open && plan ? [...planQueues(plan)] : [],
    // TextEncoder (not Buffer.from): a fresh buffer of its own, safe to transfer between threads.
    tasks: utf8.encode(JSON.stringify(taskObjects(run, plan, report))),
  };
}

/** The run report of run `id` as JSON; undefined when there is no such run. */
export async function readReport(store: RunStore, id: string): Promise<Uint8Array | undefined> {
  if (!isValidRunId(id)) return undefined;
  if (!(await store.hasRun(id))) return undefined;
  return utf8.encode(JSON.stringify(runReport(id, await store.readEvents(id))));
}
