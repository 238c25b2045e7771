'use client';
/**
 * The run page's task table. A big run lists its failed tasks first (then running, retrying, queued)
 * and shows {'}}TABLE_ROWS{{'} rows until asked for all; memoized, so a live run redraws it only when its
 * throttled state changes, not every frame.
 */
import { memo, useState } from 'react';
import type { CanvasNode, Json } from '@/lib/canvas/model';
import { taskCaption } from '@/lib/canvas/readablePath';
import { describeStatus, type RunStateAt, type TaskRunState } from '../sim/model/runState';
import { STATUS_COLOR } from '../sim/statusStyle';
import styles from './run.module.css';

function short(value: Json | undefined): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 90 ? `${text.slice(0, 88)}…` : text;
}

/** Rows the task table shows before "Show all": a 10,000-task run lists its failures, not a wall of rows. */
const TABLE_ROWS = 200;
const ROW_RANK: Record<string, number> = {
  failure: 0,
  running: 1,
  retry_wait: 2,
  queued: 3,
  upstream_failed: 4,
};

/** The task table's rows: failed tasks first, then running, retrying, queued; otherwise in run order. */
export function tableRows(state: RunStateAt) {
  const rows = [...state.tasks.values()];
  if (rows.length <= TABLE_ROWS) return rows;
  const rank = (s: string) => ROW_RANK[s] ?? 9;
  return rows
    .map((task, i) => ({ task, i }))
    .sort((a, b) => rank(a.task.status) - rank(b.task.status) || a.i - b.i)
    .map((r) => r.task);
}

export interface RunTaskTableProps {
  tasks: readonly TaskRunState[];
  divergent: ReadonlyMap<string, string> | undefined;
  /** Time (ms since the run started) retry countdowns are told at. */
  t: number;
  /** The normalized canvas task paths are read against (readable captions). */
  root: CanvasNode | undefined;
  onSelect(taskId: string): void;
  /** Replayed tasks (retry-from-failed) by id: the name of the task each stands for. */
  replayed?: ReadonlyMap<string, string>;
}

function RunTaskTableView({ tasks, divergent, t, root, onSelect, replayed }: RunTaskTableProps) {
  const [allRows, setAllRows] = useState(false);
  return (
    <section className={styles.card}>
      <h2>Tasks</h2>
      <table className={styles.table} data-testid="run-tasks">
        <thead>
          <tr>
            <th>Task</th>
            <th>State</th>
            <th>Attempts</th>
            <th>Worker</th>
            <th>Result / exception</th>
          </tr>
        </thead>
        <tbody>
          {(allRows ? tasks : tasks.slice(0, TABLE_ROWS)).map((task) => (
            <tr
              key={task.task_id}
              className={styles.clickable}
              data-testid="run-task-row"
              data-task-id={task.task_id}
              data-status={task.status}
              onClick={() => onSelect(task.task_id)}
            >
              <td>
                <strong>{replayed?.get(task.task_id) ?? task.name}</strong>
                {replayed?.has(task.task_id) ? (
                  <span className={styles.muted} data-testid="run-task-replayed">
                    {' '}
                    · replayed
                  </span>
                ) : null}
                <div style={{ opacity: 0.7 }} title={task.task_id} data-testid="run-task-caption">
                  {taskCaption(task.task_id, task.path, root)}
                </div>
              </td>
              <td style={{ color: STATUS_COLOR[task.status], fontWeight: 600 }}>
                {describeStatus(task, t)}
                {divergent?.get(task.task_id) ? (
                  <div className={styles.error} style={{ fontWeight: 400 }}>
                    ≠ {divergent.get(task.task_id)}
                  </div>
                ) : null}
              </td>
              <td data-testid="run-task-attempts">{task.attempt}</td>
              <td className={styles.mono}>{task.worker ?? ''}</td>
              <td className={styles.mono}>
                {task.error ? (
                  <span className={styles.error}>
                    {task.error.type}: {task.error.message}
                  </span>
                ) : (
                  short(task.result)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {tasks.length > TABLE_ROWS && !allRows ? (
        <button
          type="button"
          className={styles.button}
          data-testid="run-tasks-all"
          onClick={() => setAllRows(true)}
        >
          Show all {tasks.length.toLocaleString('en-US')} tasks (
          {(tasks.length - TABLE_ROWS).toLocaleString('en-US')} more)
        </button>
      ) : null}
    </section>
  );
}

export const RunTaskTable = memo(RunTaskTableView);
