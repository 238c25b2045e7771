/** The run report (SPEC 2.3) of a cluster run, folded from its event log by the shared reducer. */
import type { RunEvent } from '../../lib/protocol/events';
import { reduceRunAll } from '../../lib/protocol/reduceRun';
import type { RunReport } from '../../lib/protocol/report';
import { toReport } from '../../lib/protocol/toReport';

export function runReport(runId: string, events: RunEvent[]): RunReport {
  if (events.length === 0) {
    return { run_id: runId, status: 'failure', tasks: [], observations: [], makespan_ms: 0 };
  }
  return toReport(reduceRunAll(events));
}
