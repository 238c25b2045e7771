/**
 * Predicted vs actual: the simulator's run of the same canvas and scenario beside the live run.
 * `compareRuns` flags tasks whose actual state or attempt count departs from the prediction — as soon
 * as it is visible (an attempt beyond the predicted count) or once the task is final. Pure.
 */
import type { RunStateAt, TaskRunState } from '../sim/model/runState';

const FINAL = new Set(['success', 'failure', 'upstream_failed', 'not_run', 'revoked']);

function finalWord(task: TaskRunState | undefined): string {
  if (!task) return 'never ran';
  if (task.status === 'pending' || task.status === 'not_run' || task.status === 'upstream_failed')
    return task.attempt === 0 ? 'never ran' : task.status;
  return task.status;
}

function attemptsWord(n: number): string {
  return `${n} attempt${n === 1 ? '' : 's'}`;
}

/**
 * Task id → why the actual run diverges. `actualFinished` tells whether tasks that have not run yet are
 * final (then a predicted task that never ran is a divergence too).
 */
export function compareRuns(
  predicted: RunStateAt,
  actual: RunStateAt,
  actualFinished: boolean,
): Map<string, string> {
  const out = new Map<string, string>();
  // A person stopped the run: its tasks were revoked on purpose, not by a surprise the model missed.
  if (actual.finished?.status === 'canceled') return out;
  const ids = new Set([...predicted.tasks.keys(), ...actual.tasks.keys()]);
  for (const id of ids) {
    const p = predicted.tasks.get(id);
    const a = actual.tasks.get(id);
    const pAttempts = p?.attempt ?? 0;
    const aAttempts = a?.attempt ?? 0;
    if (aAttempts > pAttempts) {
      out.set(id, `Predicted ${attemptsWord(pAttempts)}, this run is at attempt ${aAttempts}.`);
      continue;
    }
    const aFinal = a !== undefined && FINAL.has(a.status) && a.status !== 'pending';
    if (!aFinal && !actualFinished) continue;
    const pWord = finalWord(p);
    const aWord = finalWord(a);
    if (pWord !== aWord) out.set(id, `Predicted ${pWord}, actual ${aWord}.`);
    else if (aAttempts !== pAttempts)
      out.set(id, `Predicted ${attemptsWord(pAttempts)}, actual ${attemptsWord(aAttempts)}.`);
  }
  return out;
}
