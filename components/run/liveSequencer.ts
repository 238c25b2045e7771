/**
 * Client-side ordering of a live run's events: applies each `seq` exactly once and in order, whatever the
 * transport does (snapshot overlapping room events, a reconnect, a lost message).
 *
 * - While a subscribe is in flight, room events are buffered (they may arrive before the snapshot ack).
 * - Events with `seq <= lastSeq` are duplicates and dropped.
 * - An event with `seq > lastSeq + 1` reveals a gap: the caller resubscribes from `lastSeq` (the server
 *   replays the log from there) and buffers meanwhile.
 * Pure: no timers, no sockets; `LiveRunClient` drives it.
 */
import type { RunEvent } from '@/lib/protocol/events';

export interface SequencerState {
  lastSeq: number;
  /** True between sending a subscribe and applying its snapshot. */
  syncing: boolean;
  /** Events received while syncing, applied after the snapshot. */
  buffer: RunEvent[];
}

export interface SequencerStep {
  state: SequencerState;
  /** Events to apply now, strictly consecutive from the previous `lastSeq + 1`. */
  apply: RunEvent[];
  /** True when the caller must resubscribe with `after_seq = state.lastSeq`. */
  resync: boolean;
}

export function initialSequencer(lastSeq = 0): SequencerState {
  return { lastSeq, syncing: false, buffer: [] };
}

/** The caller is about to (re)subscribe with `after_seq = state.lastSeq`. */
export function beginSync(state: SequencerState): SequencerState {
  return { ...state, syncing: true };
}

/** Takes the consecutive run starting at `lastSeq + 1` out of sorted, de-duplicated events. */
function drain(
  lastSeq: number,
  events: RunEvent[],
): { lastSeq: number; apply: RunEvent[]; rest: RunEvent[] } {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const apply: RunEvent[] = [];
  const rest: RunEvent[] = [];
  let last = lastSeq;
  for (const event of sorted) {
    if (event.seq <= last) continue;
    if (event.seq === last + 1) {
      apply.push(event);
      last = event.seq;
    } else rest.push(event);
  }
  return { lastSeq: last, apply, rest };
}

export function onLiveEvent(state: SequencerState, event: RunEvent): SequencerStep {
  if (event.seq <= state.lastSeq) return { state, apply: [], resync: false };
  if (state.syncing)
    return { state: { ...state, buffer: [...state.buffer, event] }, apply: [], resync: false };
  if (event.seq === state.lastSeq + 1) {
    return { state: { ...state, lastSeq: event.seq }, apply: [event], resync: false };
  }
  // A gap: keep the early event, resubscribe from what we have.
  return { state: { lastSeq: state.lastSeq, syncing: true, buffer: [event] }, apply: [], resync: true };
}

/** Applies a snapshot (events after the subscribe's `after_seq`), then whatever was buffered. */
export function onSnapshot(state: SequencerState, events: RunEvent[]): SequencerStep {
  const drained = drain(state.lastSeq, [...events, ...state.buffer]);
  // Buffered events beyond a hole mean something was missed between snapshot and room: fetch again.
  const resync = drained.rest.length > 0;
  return {
    state: { lastSeq: drained.lastSeq, syncing: resync, buffer: drained.rest },
    apply: drained.apply,
    resync,
  };
}
