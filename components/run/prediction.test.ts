import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@/lib/protocol/events';
import { runStateAt } from '../sim/model/runState';
import { compareRuns } from './prediction';

const tasks = [
  { task_id: 'A', name: 'TASK_A', origin: 'canvas' as const, path: 'tasks.0' },
  { task_id: 'B', name: 'TASK_B', origin: 'canvas' as const, path: 'tasks.1' },
];
let seq = 0;
function e(body: Record<string, unknown>, at = 0): RunEvent {
  seq += 1;
  return { run_id: 'r', seq, at, ...body } as RunEvent;
}
const err = { type: 'HTTPError', message: '500' };

function trace(aFailures: number, bRuns: boolean, finished: boolean): RunEvent[] {
  const out: RunEvent[] = [e({ type: 'run.started', tasks })];
  let t = 0;
  for (let i = 1; i <= aFailures; i++) {
    out.push(e({ type: 'task.started', task_id: 'A', attempt: i, worker: 'w1' }, t++));
    out.push(e({ type: 'task.retried', task_id: 'A', attempt: i, countdown_ms: 1, error: err }, t++));
  }
  out.push(e({ type: 'task.started', task_id: 'A', attempt: aFailures + 1, worker: 'w1' }, t++));
  out.push(e({ type: 'task.succeeded', task_id: 'A', attempt: aFailures + 1, result: 1 }, t++));
  if (bRuns) {
    out.push(e({ type: 'task.started', task_id: 'B', attempt: 1, worker: 'w1' }, t++));
    out.push(e({ type: 'task.succeeded', task_id: 'B', attempt: 1, result: 2 }, t++));
  }
  if (finished) out.push(e({ type: 'run.finished', status: 'success' }, t++));
  return out;
}

const final = (events: RunEvent[]) => runStateAt(events, Number.POSITIVE_INFINITY);

describe('predicted vs actual', () => {
  it('flags nothing when the run follows the prediction', () => {
    expect(compareRuns(final(trace(2, true, true)), final(trace(2, true, true)), true).size).toBe(0);
  });

  it('flags a task with more attempts than predicted while it runs', () => {
    const predicted = final(trace(0, true, true));
    const actual = final(trace(1, false, false));
    expect(compareRuns(predicted, actual, false).get('A')).toBe(
      'Predicted 1 attempt, this run is at attempt 2.',
    );
    expect(compareRuns(predicted, actual, false).has('B')).toBe(false);
  });

  it('flags fewer attempts and tasks that never ran once the run finished', () => {
    const predicted = final(trace(2, true, true));
    const actual = final(trace(0, false, true));
    const diff = compareRuns(predicted, actual, true);
    expect(diff.get('A')).toBe('Predicted 3 attempts, actual 1 attempt.');
    expect(diff.get('B')).toBe('Predicted success, actual never ran.');
  });

  it('flags nothing on a run a person canceled', () => {
    const canceled = [...trace(0, false, false), e({ type: 'run.finished', status: 'canceled' }, 99)];
    expect(compareRuns(final(trace(2, true, true)), final(canceled), true).size).toBe(0);
  });
});
