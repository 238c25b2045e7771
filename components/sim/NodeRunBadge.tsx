'use client';
/**
 * The run state of one canvas node, drawn on the node (editor node components render
 * `<NodeRunBadge path=… />`). Shows the state, the attempt, a retry countdown at the playhead,
 * chord progress and a critical-path marker; renders nothing when no run is shown.
 */
import { pillText } from './model/nodePill';
import { describeStatus, type TaskRunState } from './model/runState';
import styles from './sim.module.css';
import { useChordProgress, useNodeOnCriticalPath, useNodeRun, useSimStore } from './simulationStore';
import { STATUS_COLOR, STATUS_LABEL } from './statusStyle';

export interface NodeRunBadgeProps {
  /** The editor node's uid (or a run path such as `tasks.1.header.0`). */
  path: string;
  /**
   * The editor store's overlay state for this node, drawn (in the same pill) only when the shown run
   * has no entry for it, e.g. a live run whose canvas could not be mapped path by path.
   */
  fallback?: { state: string; attempt?: number } | undefined;
}

const ICON: Record<TaskRunState['status'], string> = {
  pending: '◌',
  queued: '◷',
  running: '▶',
  retry_wait: '↻',
  success: '✓',
  failure: '✕',
  upstream_failed: '⊘',
  not_run: '–',
  revoked: '⊘',
};

const CELERY_TO_STATUS: Record<string, TaskRunState['status']> = {
  PENDING: 'pending',
  QUEUED: 'queued',
  STARTED: 'running',
  RETRY: 'retry_wait',
  SUCCESS: 'success',
  FAILURE: 'failure',
  REVOKED: 'revoked',
};

/**
 * The one run-state display of a task node: a pill on the node's top edge (state, attempt, retry
 * countdown at the playhead), with the critical-path marker in front of it. Nothing when no run is shown.
 */
export function NodeRunBadge({ path, fallback }: NodeRunBadgeProps) {
  const task = useNodeRun(path);
  const critical = useNodeOnCriticalPath(path);
  const playhead = useSimStore((s) => (task?.status === 'retry_wait' ? s.playhead : 0));
  if (!task) {
    if (!fallback) return null;
    const status = CELERY_TO_STATUS[fallback.state] ?? 'pending';
    const attempt = fallback.attempt ?? 0;
    return (
      <div className={styles.badgeWrap}>
        <span className={`${styles.badge} ${styles[`st_${status}`] ?? ''}`} data-run-status={status}>
          <span aria-hidden="true">{ICON[status]}</span>
          {STATUS_LABEL[status]}
          {attempt > 1 ? ` · attempt ${attempt}` : ''}
        </span>
      </div>
    );
  }
  return (
    <div className={styles.badgeWrap}>
      {critical ? (
        <span
          className={`${styles.badge} ${styles.criticalBadge} cf-critical-mark`}
          title="On the critical path of this run"
          role="img"
          aria-label="On the critical path"
        >
          ◆
        </span>
      ) : null}
      <span
        className={`${styles.badge} ${styles[`st_${task.status}`] ?? ''}`}
        data-testid="node-run-state"
        data-path={path}
        data-task-id={task.task_id}
        data-run-status={task.status}
        data-celery-state={task.celery}
        data-attempt={task.attempt}
        title={describeStatus(task, playhead)}
      >
        <span aria-hidden="true">{ICON[task.status]}</span>
        {pillText(task, playhead)}
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
