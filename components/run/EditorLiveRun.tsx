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
import type { CanvasFile, Json } from '@/lib/canvas/model';
import type { RunStatusSlice } from '@/lib/store/types';
import { stripUids } from '@/lib/store/uids';
import { useEditor, useEditorStore } from '../editor/EditorProvider';
import { toRunStatusSlice } from '../sim/model/editorSync';
import { type RunPathMap, runPathMap } from '../sim/model/pathMap';
import { runStateAt } from '../sim/model/runState';
import { buildTimeline } from '../sim/model/timeline';
import { useSimStore } from '../sim/simulationStore';
import { STATUS_COLOR, STATUS_LABEL } from '../sim/statusStyle';
import { PredictionTimeline } from './PredictionTimeline';
import { RunButton } from './RunButton';
import { RunStatusBadge } from './RunStatusBadge';
import styles from './run.module.css';
import { useLiveClock } from './useLiveClock';
import { useLiveRun } from './useLiveRun';
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
        className={styles.button}
        data-testid="runs-link"
        title="Every run of the cluster, live"
      >
        Runs
      </Link>
      <RunButton
        name={docName}
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
            editor.setState({ live: { byTaskId: {}, byPath: {}, active: false } });
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
  const state = useMemo(() => runStateAt(live.events, t), [live.events, t]);
  const pathMap = useMemo(() => safePathMap(editorFile), [editorFile]);
  const predictionFile = submitted ?? editorFile;
  const payload = (live.run?.payload ?? null) as Json;
  const prediction = usePrediction(predictionFile, payload, state, live.finished);
  const timeline = useMemo(() => buildTimeline(live.events), [live.events]);
  const prev = useRef<RunStatusSlice | undefined>(undefined);

  // Live state → the editor's node overlay.
  useEffect(() => {
    prev.current = toRunStatusSlice(state, editor.getState().doc.canvas, pathMap, prev.current);
    editor.setState({ live: prev.current });
  }, [editor, state, pathMap]);

  // Live events → the simulation dock (Gantt, event log, drawer).
  useEffect(() => {
    if (live.events.length === 0) return;
    useSimStore.getState().showRun({ source: 'live', events: live.events, ...(pathMap ? { pathMap } : {}) });
  }, [live.events, pathMap]);

  const finished = state.finished;
  const divergent = prediction?.divergent.size ?? 0;
  return (
    <section
      className={styles.card}
      data-testid="live-run-banner"
      data-run-id={runId}
      data-finished={live.finished ? 'true' : 'false'}
      style={{
        // Over the top of the canvas, clear of the simulation dock below it (which shows the live run too).
        position: 'fixed',
        left: '50%',
        top: 56,
        transform: 'translateX(-50%)',
        zIndex: 40,
        width: 'max-content',
        maxWidth: 'min(760px, calc(100vw - 32px))',
        maxHeight: '70vh',
        padding: '8px 10px',
        fontSize: 12,
        overflow: 'auto',
        display: 'flex',
        flexDirection: 'column',
        gap: 6,
        boxShadow: '0 6px 24px rgba(0,0,0,0.18)',
        background: 'var(--bg)',
      }}
    >
      <div className={styles.row}>
        <strong>Live run</strong>
        <RunStatusBadge status={finished?.status ?? (live.run?.status as string | undefined) ?? 'pending'} />
        <span className={styles.mono} title={runId}>
          {runId.length > 12 ? `${runId.slice(0, 8)}…` : runId}
        </span>
        <span className={styles.muted} data-testid="live-status">
          {live.status === 'live' ? (live.finished ? 'finished' : 'receiving events') : live.status}
          {live.detail && live.status !== 'live' ? ` — ${live.detail}` : ''} · {live.events.length} events
        </span>
        <Link href={`/runs/${encodeURIComponent(runId)}`} className={styles.button}>
          Run page
        </Link>
        <button type="button" className={styles.button} onClick={onExit} data-testid="live-exit">
          Back to design
        </button>
      </div>
      <div className={styles.row} data-testid="live-tasks">
        {[...state.tasks.values()].map((task) => (
          <button
            type="button"
            key={task.task_id}
            className={styles.button}
            style={{
              padding: '1px 8px',
              fontSize: 12,
              borderColor: STATUS_COLOR[task.status],
              color: STATUS_COLOR[task.status],
            }}
            title={`${task.task_id}: open its details`}
            onClick={() => useSimStore.getState().select(task.task_id)}
            data-testid="live-task"
            data-task-id={task.task_id}
            data-name={task.name}
            data-status={task.status}
            data-attempt={task.attempt}
          >
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
      {prediction ? (
        <div className={styles.row}>
          <button
            type="button"
            className={`${styles.button} ${compare ? styles.primary : ''}`}
            aria-pressed={compare}
            onClick={() => setCompare((c) => !c)}
            data-testid="compare-toggle"
            title="Compare with the simulator's prediction for the same canvas and scenario"
          >
            {divergent > 0 ? `≠ ${divergent} diverge from the prediction` : 'Matches the prediction'}
          </button>
          <span className={styles.muted}>Gantt, events and task details: in the simulation dock below.</span>
        </div>
      ) : null}
      {compare && prediction ? (
        <PredictionTimeline
          predicted={prediction.timeline}
          actual={timeline}
          tasks={prediction.order}
          divergent={prediction.divergent}
          {...(now !== undefined && !live.finished ? { now } : {})}
        />
      ) : null}
    </section>
  );
}
