/**
 * What the live layer needs from the run store: read a run's ordered event log from any `seq`, read the
 * run record, and be told when a log grew or a run was created/finished. Every web server reads Redis
 * itself (no in-memory-only state), so any number of web servers can serve the same runs.
 */
import type { RunEvent } from '@/lib/protocol/events';
import type { LiveRunSummary, RunsChanged } from '@/lib/protocol/socketEvents';

export interface RunEventLogReader {
  /** Events with `seq > afterSeq`, in order, at most `limit`. */
  readAfter(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]>;
  /** The highest `seq` in the run's log (0 when empty or unknown). */
  lastSeq(runId: string): Promise<number>;
  /** The run record for snapshots (null when the run does not exist). */
  getRun(runId: string): Promise<LiveRunSummary | null>;
}

export interface FeedHandlers {
  /** A run's log grew; `event` is the appended event when the notification carries it. */
  onAppended(runId: string, event?: RunEvent): void;
  onRunsChanged(change: RunsChanged): void;
}

/** Tells a web server about new events. At-most-once is enough: the feed repairs gaps from the log. */
export interface RunEventNotifier {
  start(handlers: FeedHandlers): Promise<void>;
  /** Start/stop receiving per-run notifications for runs somebody on this server watches. */
  watch(runId: string): Promise<void>;
  unwatch(runId: string): Promise<void>;
  stop(): Promise<void>;
}
