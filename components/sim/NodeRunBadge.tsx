'use client';
/**
 * The run state of one canvas node, drawn on the node (editor node components render
 * `<NodeRunBadge path=… />`). Shows the state, the attempt, a retry countdown at the playhead,
 * chord progress and a critical-path marker; renders nothing when no run is shown.
 */
import { describeStatus } from './model/runState';
import styles from './sim.module.css';
import { useChordProgress, useNodeOnCriticalPath, useNodeRun, useSimStore } from './simulationStore';
import { STATUS_COLOR, STATUS_LABEL } from './statusStyle';

export interface NodeRunBadgeProps {
  /** The editor node's uid (or a run path such as `tasks.1.header.0`). */
  path: string;
}

/** Badge for a task node. */
export function NodeRunBadge({ path }: NodeRunBadgeProps) {
  const task = useNodeRun(path);
  const critical = useNodeOnCriticalPath(path);
  const playhead = useSimStore((s) => (task?.status === 'retry_wait' ? s.playhead : 0));
  if (!task) return null;
  const text =
    task.status === 'running' ||
    task.status === 'retry_wait' ||
    (task.status === 'success' && task.attempt > 1)
      ? describeStatus(task, playhead)
      : task.status === 'failure'
        ? `failure · ${task.attempt} attempts`
        : STATUS_LABEL[task.status];
  return (
    <div className={styles.badgeWrap}>
      {critical ? (
        <span className={`${styles.badge} ${styles.criticalBadge}`} title="On the critical path of this run">
          critical
        </span>
      ) : null}
      <span
        className={styles.badge}
        style={{ background: STATUS_COLOR[task.status] }}
        data-testid="node-run-state"
        data-path={path}
        data-task-id={task.task_id}
        data-run-status={task.status}
        data-celery-state={task.celery}
        data-attempt={task.attempt}
        title={describeStatus(task, playhead)}
      >
        {text}
      </span>
    </div>
  );
}

/** Chord barrier progress (k of n) for a group/chord container: its editor uid, or a chord run path. */
export function ChordProgressBadge({ chordId }: { chordId: string }) {
  const progress = useChordProgress(chordId);
  if (!progress) return null;
  const done = progress.done >= progress.total;
  return (
    <div className={styles.badgeWrap}>
      <span
        className={styles.badge}
        style={{ background: done ? STATUS_COLOR.success : STATUS_COLOR.running }}
        data-testid="chord-progress-badge"
        data-done={progress.done}
        data-total={progress.total}
        title="Chord barrier: header tasks finished (the body runs once all have succeeded)"
      >
        barrier {progress.done} of {progress.total}
      </span>
    </div>
  );
}

/** Style props an editor node can spread to outline itself when it is on the critical path. */
export function useCriticalOutline(path: string): { boxShadow?: string } {
  const critical = useNodeOnCriticalPath(path);
  return critical ? { boxShadow: '0 0 0 3px #e8590c' } : {};
}
