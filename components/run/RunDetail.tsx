'use client';
/**
 * The run page: the canvas read-only with live states, barrier progress and divergence flags; the
 * per-task table (state, attempts, worker, result or exception); predicted-vs-actual timeline; the Gantt,
 * the event log and the task drawer of the simulation view, fed by the live event stream.
 */
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import type { CanvasNode, Json } from '@/lib/canvas/model';
import { normalizeFileOrProblem } from '@/lib/canvas/normalize';
import { isDerivedTaskId, taskCaption } from '@/lib/canvas/readablePath';
import { ConnectionBanner } from '../ops/ConnectionBanner';
import { EventLog } from '../sim/EventLog';
import { formatMs, type TaskRunState } from '../sim/model/runState';
import { buildTimeline } from '../sim/model/timeline';
import simStyles from '../sim/sim.module.css';
import { TaskDrawer } from '../sim/TaskDrawer';
import { Timeline } from '../sim/Timeline';
import { getRunReport } from './api';
import { PredictionTimeline } from './PredictionTimeline';
import { RunActions } from './RunActions';
import { RunGraph } from './RunGraph';
import { RunStatusBadge } from './RunStatusBadge';
import { RunTaskTable, tableRows } from './RunTaskTable';
import { replayedNames, retriedRunId } from './replayNames';
import styles from './run.module.css';
import { runCanvasFile } from './runFile';
import { layoutRunGraph } from './runGraphLayout';
import { useLiveClock } from './useLiveClock';
import { useLiveRun } from './useLiveRun';
import { liveGraphInterval, useIncrementalRunState, useThrottledLive } from './useLiveViews';
import { usePrediction } from './usePrediction';
import { useStoredTheme } from './useStoredTheme';

/**
 * Celery's error texts name task ids (`Dependency task.tasks.1.header.0 raised …`). Kept verbatim; for
 * every unlabelled task they name, one line says which task that is and where it sits.
 */
function ErrorWhere({
  message,
  tasks,
  root,
}: {
  message: string;
  tasks: TaskRunState[];
  root: CanvasNode | undefined;
}) {
  const named = tasks.filter(
    (t) =>
      isDerivedTaskId(t.task_id, t.path) &&
      new RegExp(`(?<![\\w.~-])${escapeRe(t.task_id)}(?![\\w.~-])`).test(message),
  );
  if (named.length === 0) return null;
  return (
    <div className={styles.muted} data-testid="run-error-where">
      {named.map((t) => (
        <div key={t.task_id}>
          {t.task_id} is <strong>{t.name}</strong> at {taskCaption(t.task_id, t.path, root)}
        </div>
      ))}
    </div>
  );
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Names of the tasks a retry run replays, from the run it retries (see replayNames.ts). */
function useReplayedNames(comment: unknown, tasks: ReadonlyMap<string, TaskRunState>): Map<string, string> {
  const retried = retriedRunId(comment);
  const [original, setOriginal] = useState<Map<string, string> | null>(null);
  useEffect(() => {
    if (retried === undefined) return;
    let alive = true;
    getRunReport(retried)
      .then((r) => alive && setOriginal(new Map(r.tasks.map((t) => [t.id, t.name]))))
      .catch(() => {
        // The original run may have been pruned: names stay as the events give them.
      });
    return () => {
      alive = false;
    };
  }, [retried]);
  return useMemo(
    () => (original ? replayedNames(tasks.values(), original) : new Map<string, string>()),
    [original, tasks],
  );
}

export function RunDetail({ runId }: { runId: string }) {
  useStoredTheme();
  const live = useLiveRun(runId);
  const [selected, setSelected] = useState<string | null>(null);
  const [tab, setTab] = useState<'timeline' | 'events'>('timeline');
  const record = live.run;
  const file = useMemo(() => runCanvasFile(record?.canvas), [record?.canvas]);
  // Task paths are those of the tree Celery runs: read them against the normalized canvas.
  const root = useMemo(() => (file ? normalizeFileOrProblem(file).root : undefined), [file]);
  const startedMs = typeof record?.started_ms === 'number' ? record.started_ms : undefined;
  const now = useLiveClock(startedMs, !live.finished);
  const lastAt = live.events.length > 0 ? live.events[live.events.length - 1]!.at : 0;
  const t = live.finished ? Number.POSITIVE_INFINITY : Math.max(now ?? 0, lastAt);
  // Node states fold only each frame's new events; views of every task follow a throttled copy.
  const graphEvents = useThrottledLive(live.events, live.events.length, !live.finished, liveGraphInterval);
  const graphT = useThrottledLive(t, live.events.length, !live.finished, liveGraphInterval);
  const state = useIncrementalRunState(graphEvents, graphT);
  const running = !live.finished;
  const slowEvents = useThrottledLive(live.events, live.events.length, running);
  const slowState = useThrottledLive(state, live.events.length, running);
  const timeline = useMemo(() => buildTimeline(slowEvents), [slowEvents]);
  const payload = (record?.payload ?? null) as Json;
  const prediction = usePrediction(file, payload, slowState, live.finished);
  const finished = state.finished;
  // Failed tasks first (a 10,000-task run lists its failures, not a wall of rows).
  const tasks = useMemo(() => tableRows(slowState), [slowState]);
  // The graph's stacks: their members share one lane in the predicted-vs-actual timeline.
  const graphStacks = useMemo(() => (file ? layoutRunGraph(file).stacks : []), [file]);
  const selectedTask = selected ? state.tasks.get(selected) : undefined;
  // Throttled state: the map keeps its identity between frames (the task table is memoized).
  const replayed = useReplayedNames(record?.comment, slowState.tasks);

  if (live.loaded && !record && (live.events.length === 0 || live.gone)) {
    return (
      <main className={styles.page}>
        <p className={styles.error} data-testid="run-not-found">
          There is no run {runId} in this cluster (pruned by retention, or lost by a Redis that restarted
          without its data). <Link href="/runs">All runs</Link>
        </p>
      </main>
    );
  }

  return (
    <main
      className={styles.page}
      data-testid="run-detail"
      data-run-id={runId}
      data-finished={live.finished ? 'true' : 'false'}
    >
      <ConnectionBanner socket={live.status} events={live.events} runId={runId} />
      <div className={styles.header}>
        <div>
          <div className={styles.muted}>
            <Link href="/runs">Runs</Link> / <span className={styles.mono}>{runId}</span>
          </div>
          <h1>
            {record ? `${record.project ? `${String(record.project)}.` : ''}${record.name}` : runId}{' '}
            <RunStatusBadge status={finished?.status ?? record?.status ?? 'pending'} />
          </h1>
          <div className={styles.muted} data-testid="live-status">
            {live.status === 'live' ? (live.finished ? 'finished' : 'live') : live.status}
            {live.detail && live.status !== 'live' ? ` — ${live.detail}` : ''}
            {record?.created ? ` · created ${new Date(record.created).toLocaleString()}` : ''}
            {(record as { target?: string } | undefined)?.target === 'celery' ? (
              <span data-testid="run-target"> · on your Celery cluster</span>
            ) : null}
            {finished
              ? ` · took ${formatMs(finished.at)}`
              : now !== undefined
                ? ` · running for ${formatMs(now)}`
                : ''}
          </div>
        </div>
        <RunActions
          runId={runId}
          name={record?.name ?? 'run'}
          file={file}
          payload={payload}
          state={slowState}
          finished={live.finished || record?.status === 'canceled'}
          failed={finished?.status === 'failure' || record?.status === 'error'}
        />
      </div>

      {/* The task drawer sits beside the graph and stays in view (sticky) while the page scrolls, so a
          task picked in the graph, the table or the timeline is never opened off-screen. */}
      <div className={`${styles.body} ${selectedTask ? styles.withDrawer : ''}`}>
        <div className={styles.content}>
          {finished?.error ? (
            <div className={styles.notice} data-testid="run-error">
              <strong>{finished.error.type}</strong>: {finished.error.message}
              <ErrorWhere message={finished.error.message} tasks={tasks} root={root} />
            </div>
          ) : null}

          {file ? (
            <RunGraph
              // Re-fit when the drawer opens or closes (the graph's width changes).
              key={selectedTask ? 'with-drawer' : 'full'}
              names={replayed}
              file={file}
              state={state}
              divergent={prediction?.divergent ?? new Map()}
              selectedTaskId={selected}
              onSelect={setSelected}
              timeline={timeline}
            />
          ) : null}

          <RunTaskTable
            tasks={tasks}
            divergent={prediction?.divergent}
            t={Number.isFinite(slowState.t) ? slowState.t : lastAt}
            root={root}
            onSelect={setSelected}
            replayed={replayed}
          />

          {prediction ? (
            <section className={styles.card}>
              <h2>Predicted vs actual</h2>
              <PredictionTimeline
                predicted={prediction.timeline}
                actual={timeline}
                tasks={prediction.order}
                divergent={prediction.divergent}
                stacks={graphStacks}
                {...(now !== undefined && !live.finished ? { now } : {})}
              />
            </section>
          ) : null}

          <section className={`${styles.card} ${simStyles.panel}`} style={{ height: 'auto' }}>
            <div className={styles.row} role="tablist">
              <button
                type="button"
                role="tab"
                aria-selected={tab === 'timeline'}
                className={`${styles.button} ${tab === 'timeline' ? styles.primary : ''}`}
                onClick={() => setTab('timeline')}
              >
                Timeline
              </button>
              <button
                type="button"
                role="tab"
                aria-selected={tab === 'events'}
                className={`${styles.button} ${tab === 'events' ? styles.primary : ''}`}
                onClick={() => setTab('events')}
              >
                Events ({live.events.length})
              </button>
            </div>
            <div style={{ height: 280, marginTop: 8 }}>
              {tab === 'timeline' ? (
                <Timeline
                  timeline={timeline}
                  playhead={timeline.endMs}
                  selectedTaskId={selected}
                  onSelect={setSelected}
                  onSeek={() => {}}
                />
              ) : (
                <EventLog
                  events={slowEvents}
                  playhead={Number.POSITIVE_INFINITY}
                  onPick={(e) => {
                    if ('task_id' in e) setSelected(e.task_id);
                  }}
                />
              )}
            </div>
          </section>
        </div>
        {selectedTask ? (
          <div
            className={`${simStyles.panel} ${styles.drawerColumn}`}
            style={{ height: 'auto' }}
            data-testid="run-drawer-column"
          >
            <TaskDrawer
              task={selectedTask}
              events={live.events}
              playhead={Number.POSITIVE_INFINITY}
              onClose={() => setSelected(null)}
              root={root}
              {...(replayed.has(selectedTask.task_id)
                ? { title: `${replayed.get(selectedTask.task_id)} · replayed (identity)` }
                : {})}
            />
          </div>
        ) : null}
      </div>
    </main>
  );
}
