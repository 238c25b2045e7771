/** The words of a task node's state pill (the one run-state display on an editor node). */
import { STATUS_LABEL } from '../statusStyle';
import { formatMs, type TaskRunState } from './runState';

/**
 * Short words for the pill at time `playhead` (ms from the run start): the state, the attempt when it
 * is not the first, and the countdown to the next attempt while waiting to retry. The node's title
 * carries the full sentence (`describeStatus`).
 */
export function pillText(task: TaskRunState, playhead: number): string {
  switch (task.status) {
    case 'running':
      return task.attempt > 1 ? `running · attempt ${task.attempt}` : 'running';
    case 'retry_wait': {
      const left = Math.max(0, (task.retryAt ?? playhead) - playhead);
      return `retry ${task.attempt + 1} in ${formatMs(left)}`;
    }
    case 'queued':
      return task.attempt > 0 ? `queued · attempt ${task.attempt + 1}` : 'queued';
    case 'success':
      return task.attempt > 1 ? `success · attempt ${task.attempt}` : 'success';
    case 'failure':
      return `failed · ${task.attempt} attempt${task.attempt === 1 ? '' : 's'}`;
    default:
      return STATUS_LABEL[task.status];
  }
}
