/**
 * `toReport`: the run report of SPEC 2.3 from a run view. Every task of the plan is listed (canvas
 * tasks, then callbacks/errbacks/added tasks in dispatch order); a task that never ran is PENDING.
 */
import type { RunView } from './reduceRun';
import type { RunReport, TaskReport } from './report';

/** The SPEC 2.3 report of a (finished) run view. An unfinished run reports `failure`. */
export function toReport(view: RunView): RunReport {
  const tasks: TaskReport[] = [];
  for (const id of view.order) {
    const t = view.tasks.get(id);
    if (t === undefined) throw new Error(`The run view lists task ${id} but has no entry for it.`);
    if (
      t.state === 'SUCCESS' &&
      t.result !== undefined &&
      t.started_at !== undefined &&
      t.finished_at !== undefined &&
      t.worker !== undefined
    ) {
      // The common case of a finished run, built in one go (same keys, same SPEC 2.3 order).
      tasks.push({
        id: t.id,
        name: t.name,
        state: t.state,
        result: t.result,
        attempts: t.attempts,
        started_at: t.started_at,
        finished_at: t.finished_at,
        worker: t.worker,
        history: t.history,
      });
      continue;
    }
    // Properties assigned in SPEC 2.3 order.
    const r = { id: t.id, name: t.name, state: t.state } as TaskReport;
    if (t.state === 'SUCCESS' && t.result !== undefined) r.result = t.result;
    if (t.state !== 'SUCCESS' && t.error !== undefined) r.error = t.error;
    r.attempts = t.attempts;
    if (t.started_at !== undefined) r.started_at = t.started_at;
    if (t.finished_at !== undefined) r.finished_at = t.finished_at;
    if (t.worker !== undefined) r.worker = t.worker;
    r.history = t.history;
    tasks.push(r);
  }
  const status = view.status === 'running' ? 'failure' : view.status;
  const report: RunReport = {
    run_id: view.run_id,
    status,
    tasks,
    observations: view.observations,
    makespan_ms: 0,
  };
  if (status === 'success') report.result = view.result ?? null;
  else if (view.error !== undefined) report.error = view.error;
  else if (view.status === 'running')
    report.error = { type: 'RunNotFinished', message: 'The run has not finished yet.' };
  report.makespan_ms = view.finished_at ?? view.at;
  // Key order as in SPEC 2.3.
  return {
    run_id: report.run_id,
    status: report.status,
    ...(report.result !== undefined ? { result: report.result } : {}),
    ...(report.error !== undefined ? { error: report.error } : {}),
    tasks: report.tasks,
    observations: report.observations,
    makespan_ms: report.makespan_ms,
  };
}
