'use client';
/**
 * Everything about one task of the shown run: its state at the playhead, the arguments it received,
 * its result or exception (with traceback), and every attempt with timing, worker and error.
 */
import { Fragment, useMemo } from 'react';
import type { CanvasNode, Json } from '../../lib/canvas/model';
import { taskCaption } from '../../lib/canvas/readablePath';
import type { RunEvent, TaskError } from '../../lib/protocol/events';
import { tracebackText } from '../../lib/protocol/traceback';
import { describeStatus, formatMs, type TaskRunState } from './model/runState';
import styles from './sim.module.css';
import { STATUS_COLOR } from './statusStyle';

interface AttemptRow {
  attempt: number;
  worker: string;
  start: number;
  end?: number;
  outcome?: 'success' | 'retry' | 'failure' | 'revoked';
  countdown_ms?: number;
  error?: TaskError;
}

interface TaskDetails {
  args?: Json[];
  kwargs?: Json;
  attempts: AttemptRow[];
  queuedAt?: number;
  errbacks: string[];
}

/** Attempts still open when the run was canceled end there, revoked (none is left "running"). */
function closeOpen(rows: AttemptRow[], at: number): void {
  for (const row of rows)
    if (row.end === undefined) {
      row.end = Math.max(row.start, at);
      row.outcome = 'revoked';
    }
}

/** Collects what the events say about one task (up to time `t`). */
export function taskDetails(events: readonly RunEvent[], taskId: string, t: number): TaskDetails {
  const details: TaskDetails = { attempts: [], errbacks: [] };
  const byAttempt = new Map<number, AttemptRow>();
  for (const e of events) {
    if (e.at > t) continue;
    switch (e.type) {
      case 'task.queued':
        if (e.task_id === taskId && details.queuedAt === undefined) details.queuedAt = e.at;
        break;
      case 'task.started':
        if (e.task_id !== taskId) break;
        if (e.args) details.args = e.args;
        if (e.kwargs !== undefined) details.kwargs = e.kwargs;
        if (!byAttempt.has(e.attempt)) {
          const row: AttemptRow = { attempt: e.attempt, worker: e.worker, start: e.at };
          byAttempt.set(e.attempt, row);
          details.attempts.push(row);
        }
        break;
      case 'task.succeeded':
      case 'task.retried':
      case 'task.failed': {
        if (e.task_id !== taskId) break;
        const row = byAttempt.get(e.attempt);
        if (!row) break;
        row.end = e.at;
        row.outcome =
          e.type === 'task.succeeded' ? 'success' : e.type === 'task.retried' ? 'retry' : 'failure';
        if (e.type === 'task.retried') row.countdown_ms = e.countdown_ms;
        if (e.type !== 'task.succeeded') row.error = e.error;
        break;
      }
      case 'errback.called':
        if (e.failed_task_id === taskId) details.errbacks.push(`${e.errback} (${e.style} style)`);
        break;
      case 'task.revoked':
        if (e.task_id === taskId) closeOpen(details.attempts, e.at);
        break;
      case 'run.finished':
        if (e.status === 'canceled') closeOpen(details.attempts, e.at);
        break;
      default:
        break;
    }
  }
  return details;
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

export interface TaskDrawerProps {
  task: TaskRunState;
  events: readonly RunEvent[];
  playhead: number;
  onClose(): void;
  /** The run's (normalized) canvas, so an unlabelled task reads `step 2 › header 1`. */
  root?: CanvasNode | undefined;
  /** Heading instead of the task name (a replayed task names the task it stands for). */
  title?: string;
}

/** The per-task drawer. */
export function TaskDrawer({ task, events, playhead, onClose, root, title }: TaskDrawerProps) {
  const details = useMemo(
    () => taskDetails(events, task.task_id, playhead),
    [events, task.task_id, playhead],
  );
  return (
    <aside
      className={styles.drawer}
      data-testid="task-drawer"
      data-task-id={task.task_id}
      aria-label={`Task ${task.task_id}`}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'start', gap: 8 }}>
        <div>
          <h3>{title ?? task.name}</h3>
          <div className={styles.hint} data-testid="drawer-caption">
            {taskCaption(task.task_id, task.path, root)}
            {task.origin !== 'canvas' ? ` · ${task.origin}` : ''}
          </div>
          <div className={`${styles.mono} ${styles.hint}`} title="Celery task id">
            id {task.task_id}
          </div>
        </div>
        <button type="button" className={styles.button} onClick={onClose} aria-label="Close task details">
          ×
        </button>
      </div>
      <p style={{ margin: '8px 0' }}>
        <span className={styles.statusDot} style={{ background: STATUS_COLOR[task.status] }} />
        <strong data-testid="drawer-status">{describeStatus(task, playhead)}</strong>
        {task.worker ? <span className={styles.hint}> · last on {task.worker}</span> : null}
      </p>
      {task.status === 'success' ? (
        <>
          <h4>Result</h4>
          <pre className={styles.pre} data-testid="drawer-result">
            {pretty(task.result)}
          </pre>
        </>
      ) : null}
      {task.error ? (
        <>
          <h4>{task.status === 'retry_wait' ? 'Last exception (will retry)' : 'Exception'}</h4>
          <pre className={styles.pre} data-testid="drawer-error">
            {`${task.error.type}: ${task.error.message}`}
          </pre>
          <details open={task.status === 'failure'} data-testid="drawer-traceback">
            <summary className={styles.hint}>Traceback</summary>
            <pre className={styles.pre}>{tracebackText(task.name, task.task_id, task.error)}</pre>
          </details>
        </>
      ) : null}
      <h4>Attempts</h4>
      {details.attempts.length === 0 ? (
        <p className={styles.hint}>No attempt yet.</p>
      ) : (
        <table className={styles.table}>
          <thead>
            <tr>
              <th>#</th>
              <th>worker</th>
              <th>start</th>
              <th>took</th>
              <th>outcome</th>
            </tr>
          </thead>
          <tbody>
            {details.attempts.map((a) => (
              <Fragment key={a.attempt}>
                <tr
                  data-testid="drawer-attempt"
                  data-attempt={a.attempt}
                  data-start={a.start}
                  data-outcome={a.outcome ?? 'running'}
                >
                  <td>{a.attempt}</td>
                  <td className={styles.mono}>{a.worker}</td>
                  <td>{formatMs(a.start)}</td>
                  <td>{a.end === undefined ? 'running' : formatMs(a.end - a.start)}</td>
                  <td>
                    {a.outcome === 'retry'
                      ? `${a.error?.type ?? 'error'}, retry in ${formatMs(a.countdown_ms ?? 0)}`
                      : a.outcome === 'failure'
                        ? `${a.error?.type ?? 'error'} (final)`
                        : a.outcome === 'revoked'
                          ? 'revoked (run canceled)'
                          : (a.outcome ?? '…')}
                  </td>
                </tr>
                {a.error ? (
                  <tr data-testid="drawer-attempt-error" data-attempt={a.attempt}>
                    <td />
                    <td colSpan={4} className={`${styles.mono} ${styles.attemptError}`}>
                      {a.error.message}
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      <h4>Arguments received</h4>
      {details.args === undefined && details.kwargs === undefined ? (
        <p className={styles.hint}>Not started yet at this point of the run.</p>
      ) : (
        <pre className={styles.pre}>
          {`args = ${pretty(details.args ?? [])}\nkwargs = ${pretty(details.kwargs ?? {})}`}
        </pre>
      )}
      {details.errbacks.length ? (
        <>
          <h4>Errbacks called</h4>
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {details.errbacks.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </>
      ) : null}
    </aside>
  );
}
