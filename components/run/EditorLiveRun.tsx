'use client';
/**
 * Live mode of the editor (must sit inside `EditorProvider`): the Run button, then the submitted run
 * followed over Socket.IO and drawn by the views the simulation uses — the editor's node overlay (its
 * `live` slice: state, attempt n, retry countdown, chord k of n), and the simulation dock's Gantt, event
 * log and task drawer (`useSimStore.showRun({source: 'live'})`) — with the simulator's prediction beside
 * it. The run id survives a page reload (sessionStorage), so the view resumes where the run is.
 */
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { CanvasFile, Json } from '@/lib/canvas/model';
import type { RunStatusSlice } from '@/lib/store/types';
import { stripUids } from '@/lib/store/uids';
import { RUN_BAR_SLOT } from '../editor/Editor';
import { useEditor, useEditorStore } from '../editor/EditorProvider';
import { ConnectionBanner } from '../ops/ConnectionBanner';
import { toRunStatusSlice } from '../sim/model/editorSync';
import { type RunPathMap, runPathMap } from '../sim/model/pathMap';
import { buildTimeline } from '../sim/model/timeline';
import { useSimStore } from '../sim/simulationStore';
import { STATUS_COLOR, STATUS_LABEL } from '../sim/statusStyle';
import { PredictionTimeline } from './PredictionTimeline';
import { RunButton } from './RunButton';
import { RunStatusBadge } from './RunStatusBadge';
import styles from './run.module.css';
import { useLiveClock } from './useLiveClock';
import { useLiveRun } from './useLiveRun';
import { liveGraphInterval, useIncrementalRunState, useThrottledLive } from './useLiveViews';
import { usePrediction } from './usePrediction';

const KEY = 'chordflow.liveRun';

function remember(id: string | null): void {
  try {
    if (id) sessionStorage.setItem(KEY, id);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage disabled: live mode then lasts until the next reload.
  }
}

function safePathMap(file: CanvasFile | null): RunPathMap | undefined {
  if (!file) return undefined;
  try {
    return runPathMap(file);
  } catch {
    return undefined;
  }
}

/** Run button + live banner for the enclosing editor. */
export function EditorLiveRun() {
  const editor = useEditorStore();
  const canvas = useEditor((s) => s.doc.canvas);
  const invoke = useEditor((s) => s.doc.invoke);
  const config = useEditor((s) => s.doc.config);
  const docName = useEditor((s) => s.ui.docName);
  const input = useEditor((s) => s.doc.payload);
  const errors = useEditor((s) => Object.values(s.ui.problemIndex).reduce((n, p) => n + p.errors, 0));
  const [runId, setRunId] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState<CanvasFile | null>(null);

  useEffect(() => {
    try {
      setRunId(sessionStorage.getItem(KEY));
    } catch {
      // See remember().
    }
  }, []);

  // The editor's own document (with uids) maps run paths back to drawn nodes.
  const file = useMemo<CanvasFile | null>(
    () => (canvas ? { canvas, invoke, config } : null),
    [canvas, invoke, config],
  );

  return (
    <>
      <Link
        href="/runs"
        className="cf-btn is-ghost"
        data-testid="runs-link"
        title="Every run of the cluster, live"
      >
        Runs
      </Link>
      <RunButton
        name={docName}
        input={input}
        onInput={(payload) => {
          if (JSON.stringify(payload) !== JSON.stringify(editor.getState().doc.payload))
            editor.getState().actions.setInput({ payload });
        }}
        getFile={() => (file ? { ...file, canvas: stripUids(file.canvas) } : null)}
        {...(errors > 0
          ? {
              invalidReason: `The canvas has ${errors} error${errors === 1 ? '' : 's'} (see Problems); fix them before running it.`,
            }
          : {})}
        onStarted={(run) => {
          remember(run.id);
          setSubmitted(run.file);
          setRunId(run.id);
        }}
      />
      {runId ? (
        <LiveBanner
          key={runId}
          runId={runId}
          submitted={submitted}
          editorFile={file}
          onExit={() => {
            remember(null);
            setRunId(null);
            setSubmitted(null);
            editor.setState({ live: { byTaskId: new Map(), byPath: {}, active: false } });
            useSimStore.getState().clearRun();
          }}
        />
      ) : null}
    </>
  );
}

interface LiveBannerProps {
  runId: string;
  submitted: CanvasFile | null;
  editorFile: CanvasFile | null;
  onExit(): void;
}

function LiveBanner({ runId, submitted, editorFile, onExit }: LiveBannerProps) {
  const editor = useEditorStore();
  const live = useLiveRun(runId);
  const [compare, setCompare] = useState(false);
  const startedMs = typeof live.run?.started_ms === 'number' ? live.run.started_ms : undefined;
  const now = useLiveClock(startedMs, !live.finished);
  const lastAt = live.events.length > 0 ? live.events[live.events.length - 1]!.at : 0;
  const t = live.finished ? Number.POSITIVE_INFINITY : Math.max(now ?? 0, lastAt);
  // Node states fold only each frame's new events; views of every task follow a throttled copy.
  const graphEvents = useThrottledLive(live.events, live.events.length, !live.finished, liveGraphInterval);
  const graphT = useThrottledLive(t, live.events.length, !live.finished, liveGraphInterval);
  const state = useIncrementalRunState(graphEvents, graphT);
  const slowEvents = useThrottledLive(live.events, live.events.length, !live.finished);
  const slowState = useThrottledLive(state, live.events.length, !live.finished);
  const pathMap = useMemo(() => safePathMap(editorFile), [editorFile]);
  const predictionFile = submitted ?? editorFile;
  const payload = (live.run?.payload ?? null) as Json;
  const prediction = usePrediction(predictionFile, payload, slowState, live.finished);
  const timeline = useMemo(() => buildTimeline(slowEvents), [slowEvents]);
  const prev = useRef<RunStatusSlice | undefined>(undefined);

  // Live state → the editor's node overlay.
  useEffect(() => {
    prev.current = toRunStatusSlice(state, editor.getState().doc.canvas, pathMap, prev.current);
    editor.setState({ live: prev.current });
  }, [editor, state, pathMap]);

  // Live events → the simulation dock (Gantt, event log, drawer).
  useEffect(() => {
    if (slowEvents.length === 0) return;
    useSimStore.getState().showRun({ source: 'live', events: slowEvents, ...(pathMap ? { pathMap } : {}) });
  }, [slowEvents, pathMap]);

  const finished = state.finished;
  const divergent = prediction?.divergent.size ?? 0;
  const [expanded, setExpanded] = useState(false);
  const slot = useRunBarSlot();
  const counts = useMemo(() => {
    const by = new Map<string, number>();
    for (const task of state.tasks.values()) by.set(task.status, (by.get(task.status) ?? 0) + 1);
    return [...by.entries()];
  }, [state.tasks]);
  // Loaded, yet neither a record nor a single event: the run is gone (retention, another tab's delete).
  const vanished = live.loaded && !live.run && (live.events.length === 0 || live.gone);
  const runStatus = vanished
    ? 'unknown'
    : (finished?.status ?? (live.run?.status as string | undefined) ?? 'pending');
  const bar = (
    <section
      className={`cf-runbar${expanded ? ' is-expanded' : ''}`}
      aria-label="Live run"
      data-testid="live-run-banner"
      data-run-id={runId}
      data-finished={live.finished ? 'true' : 'false'}
    >
      <div className="cf-runbar-row">
        <button
          type="button"
          className="cf-btn is-ghost is-small cf-runbar-toggle"
          aria-expanded={expanded}
          aria-controls="cf-runbar-details"
          onClick={() => setExpanded((e) => !e)}
          data-testid="live-expand"
          title={
            expanded ? 'Hide the task list and details' : 'Show every task, the error and the prediction'
          }
        >
          {expanded ? '▾' : '▸'} Live run
        </button>
        <RunStatusBadge status={runStatus} />
        <span className="cf-runbar-id" title={runId}>
          {runId.length > 12 ? `${runId.slice(0, 8)}…` : runId}
        </span>
        <span className="cf-muted" data-testid="live-status">
          {vanished
            ? 'this run no longer exists on the server (pruned or deleted)'
            : live.status === 'live'
              ? live.finished
                ? 'finished'
                : 'receiving events'
              : live.status}
          {live.detail && live.status !== 'live' ? ` — ${live.detail}` : ''} · {live.events.length} events
        </span>
        <span className="cf-runbar-counts" title="Tasks by state">
          {counts.map(([status, n]) => (
            <span key={status} className="cf-runbar-count">
              <span
                className="cf-runbar-dot"
                style={{ background: STATUS_COLOR[status as keyof typeof STATUS_COLOR] }}
              />
              {n} {STATUS_LABEL[status as keyof typeof STATUS_LABEL]}
            </span>
          ))}
        </span>
        {finished?.error ? (
          <span className="cf-runbar-error" title={`${finished.error.type}: ${finished.error.message}`}>
            <strong>{finished.error.type}</strong>: {finished.error.message}
          </span>
        ) : null}
        <span className="cf-runbar-actions">
          {prediction ? (
            <button
              type="button"
              className={`cf-btn is-small${compare ? ' is-on' : ''}`}
              aria-pressed={compare}
              onClick={() => {
                setCompare((c) => !c);
                setExpanded(true);
              }}
              data-testid="compare-toggle"
              title="Compare with the simulator's prediction for the same canvas and scenario"
            >
              {divergent > 0 ? `≠ ${divergent} diverge from the prediction` : '= Matches the prediction'}
            </button>
          ) : null}
          <Link href={`/runs/${encodeURIComponent(runId)}`} className="cf-btn is-small">
            Run page
          </Link>
          <button type="button" className="cf-btn is-small" onClick={onExit} data-testid="live-exit">
            Back to design
          </button>
        </span>
      </div>
      <ConnectionBanner socket={live.status} events={live.events} runId={runId} />
      <div id="cf-runbar-details" className="cf-runbar-details" hidden={!expanded}>
        <div className="cf-runbar-info">
          <div className="cf-runbar-tasks" data-testid="live-tasks">
            {[...state.tasks.values()].map((task) => (
              <button
                type="button"
                key={task.task_id}
                className="cf-btn is-small cf-runbar-task"
                style={{ borderColor: STATUS_COLOR[task.status] }}
                title={`${task.task_id}: open its details in the dock`}
                onClick={() => useSimStore.getState().select(task.task_id)}
                data-testid="live-task"
                data-task-id={task.task_id}
                data-name={task.name}
                data-status={task.status}
                data-attempt={task.attempt}
              >
                <span className="cf-runbar-dot" style={{ background: STATUS_COLOR[task.status] }} />
                {task.name} · {STATUS_LABEL[task.status]}
                {task.attempt > 0 ? ` #${task.attempt}` : ''}
              </button>
            ))}
          </div>
          {finished?.error ? (
            <div className={styles.notice}>
              <strong>{finished.error.type}</strong>: {finished.error.message}
            </div>
          ) : null}
          <span className="cf-muted">
            Timeline, events and task details: in the dock below. Click a task to open it there.
          </span>
        </div>
        {compare && prediction ? (
          <div className="cf-runbar-compare">
            <PredictionTimeline
              predicted={prediction.timeline}
              actual={timeline}
              tasks={prediction.order}
              divergent={prediction.divergent}
              {...(now !== undefined && !live.finished ? { now } : {})}
            />
          </div>
        ) : null}
      </div>
    </section>
  );
  return slot ? createPortal(bar, slot) : null;
}

/** The editor's slot under the toolbar (absent on the first render, before the editor mounted). */
function useRunBarSlot(): HTMLElement | null {
  const [slot, setSlot] = useState<HTMLElement | null>(null);
  useEffect(() => setSlot(document.getElementById(RUN_BAR_SLOT)), []);
  return slot;
}
