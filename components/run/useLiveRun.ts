'use client';
/**
 * React access to live runs: one Socket.IO connection per tab (same origin as the page), a hook that
 * follows one run (snapshot + ordered events, resumed after reconnects) and one for the runs list.
 */
import { useEffect, useRef, useState } from 'react';
import type { RunEvent } from '@/lib/protocol/events';
import type { LiveRunSummary, RunsChanged } from '@/lib/protocol/socketEvents';
import { apiToken } from './api';
import { connectLiveSocket, LiveRunClient, type LiveSocket } from './liveRunClient';

let shared: LiveSocket | null = null;

/** The tab's socket (created on first use; the browser connects to the page's own origin). */
export function liveSocket(): LiveSocket {
  if (!shared) shared = connectLiveSocket(undefined, apiToken());
  return shared;
}

/** Reconnects the tab's socket with the current API token (after the person changed it). */
export function refreshLiveAuth(): void {
  if (!shared) return;
  const token = apiToken();
  shared.auth = token ? { token } : {};
  shared.disconnect().connect();
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface LiveRunState {
  events: RunEvent[];
  run: LiveRunSummary | null;
  status: LiveStatus;
  detail?: string;
  /** True once the first snapshot was applied. */
  loaded: boolean;
  finished: boolean;
  /** The last snapshot had no run: it never existed or vanished while watched (Redis lost it, retention). */
  gone: boolean;
}

/** A view that heard nothing for this long asks for a fresh snapshot (a vanished run shows as such). */
export const QUIET_RESYNC_MS = 10_000;

/**
 * Follows run `runId`: events accumulate in order (each seq once), re-rendering at most once per frame.
 * `null` follows nothing.
 */
export function useLiveRun(runId: string | null): LiveRunState {
  const [state, setState] = useState<LiveRunState>({
    events: [],
    run: null,
    status: 'connecting',
    loaded: false,
    finished: false,
    gone: false,
  });
  const events = useRef<RunEvent[]>([]);
  const frame = useRef<number | null>(null);
  // Set when a batch carries run.finished (no scan of the whole log each frame).
  const done = useRef(false);

  useEffect(() => {
    events.current = [];
    done.current = false;
    setState({ events: [], run: null, status: 'connecting', loaded: false, finished: false, gone: false });
    if (!runId) return;
    let heard = Date.now();
    const flush = () => {
      frame.current = null;
      // One copy per frame (not per batch): views memoize on the array identity.
      const list = events.current.slice();
      setState((s) => ({
        ...s,
        events: list,
        loaded: true,
        finished: done.current,
      }));
    };
    const schedule = () => {
      if (frame.current === null) frame.current = requestAnimationFrame(flush);
    };
    const client = new LiveRunClient(
      runId,
      {
        onEvents(batch) {
          heard = Date.now();
          for (const event of batch) {
            events.current.push(event);
            if (event.type === 'run.finished') done.current = true;
          }
          schedule();
        },
        onRun(run) {
          heard = Date.now();
          setState((s) => ({ ...s, run, loaded: true, gone: run === null }));
          schedule();
        },
        onStatus(status, detail) {
          setState((s) => (detail === undefined ? { ...s, status } : { ...s, status, detail }));
        },
      },
      { socket: liveSocket() },
    );
    const quiet = setInterval(() => {
      if (!done.current && Date.now() - heard >= QUIET_RESYNC_MS) {
        heard = Date.now();
        client.resync();
      }
    }, QUIET_RESYNC_MS / 2);
    return () => {
      clearInterval(quiet);
      client.close();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [runId]);

  return state;
}

/** Calls `onChange` for every run created or finished anywhere in the cluster. */
export function useRunsChanges(onChange: (change: RunsChanged) => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handler = useRef(onChange);
  handler.current = onChange;
  useEffect(() => {
    const socket = liveSocket();
    const listener = (change: RunsChanged) => handler.current(change);
    const join = () => {
      socket.emit('runs:subscribe', () => setStatus('live'));
    };
    const offline = () => setStatus('offline');
    socket.on('runs:changed', listener);
    socket.on('connect', join);
    socket.on('disconnect', offline);
    socket.on('connect_error', offline);
    if (socket.connected) join();
    return () => {
      socket.off('runs:changed', listener);
      socket.off('connect', join);
      socket.off('disconnect', offline);
      socket.off('connect_error', offline);
      if (socket.connected) socket.emit('runs:unsubscribe');
    };
  }, []);
  return status;
}
