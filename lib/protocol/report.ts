/**
 * The run report (SPEC 2.3): what `chordflow simulate --json` and `chordflow run --wait --json` print.
 * External tests rely on this shape exactly.
 */
import type { Json } from '../canvas/model';
import type { RunStatus, TaskError } from './events';

export type CeleryState = 'PENDING' | 'STARTED' | 'RETRY' | 'SUCCESS' | 'FAILURE' | 'REVOKED';

export interface AttemptRecord {
  attempt: number;
  started_at: number;
  finished_at: number;
  outcome: 'success' | 'retry' | 'failure';
  countdown_ms?: number;
  error?: TaskError;
}

export interface TaskReport {
  id: string;
  name: string;
  state: CeleryState;
  result?: Json;
  error?: TaskError;
  attempts: number;
  started_at?: number;
  finished_at?: number;
  worker?: string;
  history: AttemptRecord[];
}

export interface RunReport {
  run_id: string;
  status: RunStatus;
  result?: Json;
  error?: TaskError;
  tasks: TaskReport[];
  observations: Json[];
  makespan_ms: number;
}
