/**
 * The live-monitoring protocol over Socket.IO (SPEC 2.5): typed event maps for server and client, and
 * zod schemas that validate everything a client sends (the server never trusts inbound payloads).
 *
 * Protocol:
 * - `run:subscribe {run_id, after_seq?}` (ack) → a snapshot: the run record (or null when unknown) and
 *   the events with `seq > after_seq` up to `last_seq` (at most a page: a longer log follows as
 *   `run:event`s to that socket, in order, before the run's room is joined). `run:event` messages that
 *   overlap the snapshot can arrive: clients drop every event whose `seq` they already applied, and
 *   resubscribe from their last `seq` on a gap.
 * - `run:event` — one event of the run's ordered log, in `seq` order per run.
 * - `runs:subscribe` (ack) joins the runs-list room; `runs:changed` announces a created or finished run.
 * Authentication: when the server has a token, the handshake must carry `auth: { token }`.
 */
import { z } from 'zod';
import type { RunEvent, RunStatus } from './events';

/** Run ids and names travel in room names: keep them short and printable. */
const runIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:{}@-]+$/, 'a run id is letters, digits and . _ - : { } @');

export const subscribeRequestSchema = z.object({
  run_id: runIdSchema,
  after_seq: z.number().int().min(0).optional(),
});
export type SubscribeRequest = z.infer<typeof subscribeRequestSchema>;

export const unsubscribeRequestSchema = z.object({ run_id: runIdSchema });
export type UnsubscribeRequest = z.infer<typeof unsubscribeRequestSchema>;

/** A run as the runs list and the snapshot show it (a subset of the API's workflow object). */
export interface LiveRunSummary {
  id: string;
  name: string;
  status: string;
  created?: string;
  updated?: string;
  [key: string]: unknown;
}

export interface RunSnapshot {
  run_id: string;
  run: LiveRunSummary | null;
  /** Events with `seq` in (after_seq, last_seq], in order. */
  events: RunEvent[];
  /** The last `seq` in `events` (`after_seq` when none): the rest of the log follows as `run:event`s. */
  last_seq: number;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: string };

export interface RunsChanged {
  kind: 'created' | 'finished' | 'updated';
  run_id: string;
  status?: RunStatus | string;
  name?: string;
}

export interface ServerToClientEvents {
  'run:event': (event: RunEvent) => void;
  'runs:changed': (change: RunsChanged) => void;
}

export interface ClientToServerEvents {
  'run:subscribe': (request: SubscribeRequest, ack: (reply: Ack<RunSnapshot>) => void) => void;
  'run:unsubscribe': (request: UnsubscribeRequest, ack?: (reply: Ack<null>) => void) => void;
  'runs:subscribe': (ack?: (reply: Ack<null>) => void) => void;
  'runs:unsubscribe': () => void;
}

/** Room names (one per run, one for the runs list). */
export function runRoom(runId: string): string {
  return `run:${runId}`;
}
export const RUNS_ROOM = 'runs';

/** A readable sentence for a failed validation of an inbound payload. */
export function describeInvalid(what: string, error: z.ZodError): string {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? ` (field ${first.path.join('.')})` : '';
  return `Invalid ${what}${where}: ${first?.message ?? 'malformed payload'}.`;
}
