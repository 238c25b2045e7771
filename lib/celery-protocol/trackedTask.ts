/** What the Celery tracker knows of one task of the plan (lib/celery-protocol/tracker.ts). */
import type { PlanTask, TaskFinal } from '../engine/types';
import type { ResultRecord } from './records';

export interface Tracked {
  task: PlanTask;
  /** Attempt of the latest message the worker received (retries + 1). */
  received: number;
  /** Attempt whose task.started was emitted (0 = none). */
  started: number;
  /** Attempts closed with task.retried. */
  retried: number;
  /** The worker's task-retried for the running attempt: time and countdown, until the record comes. */
  retryEvent?: { attempt: number; at: number; countdown_ms: number | undefined; eta?: number } | undefined;
  /** A RETRY record waiting for the worker's events to date the retry (see `pending`). */
  pendingRetry?: { rec: ResultRecord; since: number } | undefined;
  /** epoch ms the running (or last) attempt started. */
  startedAtMs?: number;
  /** A task-started that came before the previous attempt's RETRY record (see task-started). */
  deferredStart?: { attempt: number; ms: number; worker?: string } | undefined;
  final?: TaskFinal;
  /** Any event or record seen for this task (a FAILURE record without any is a Celery mark). */
  seen: boolean;
  /** In the run's task list: canvas tasks from the start, callbacks/errbacks once Celery sent them. */
  listed: boolean;
  worker?: string;
  /** epoch ms of the last task-received, or its ETA when later (a start time when task-started was lost). */
  receivedAt?: number;
  /** epoch ms of task-succeeded/failed, better than the record's date_done. */
  endedAt?: number;
  /**
   * A final record that came before any event of its task: records are published at once, events in
   * batches, so it waits (up to a grace period) for the task's events to tell a real execution from a
   * Celery mark and to give the attempt its start time.
   */
  pending?: { rec: ResultRecord; since: number } | undefined;
}

/** How long a final record waits for its task's batched events (Celery flushes them every ~1 s). */
export const PENDING_GRACE_MS = 2000;

export const FINAL_STATES = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);
