'use client';
/**
 * The simulation dock under the canvas: controls, run summary, Timeline / Events / What-if tabs and
 * the task drawer. The simulator runs in a Web Worker; the views read the sim slice, whose run is just
 * an event list, so live runs reuse every view.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CatalogueEntry } from '../../lib/canvas/catalogue';
import type { CanvasFile, CanvasNode } from '../../lib/canvas/model';
import { normalizeFileOrProblem } from '../../lib/canvas/normalize';
import type { RunEvent } from '../../lib/protocol/events';
import { parsePools } from '../../lib/sim/pools';
import { stripUids } from '../../lib/store/uids';
import { EventLog } from './EventLog';
import { FaultControls } from './FaultControls';
import { runPathMap } from './model/pathMap';
import { listTasks, withFaults, withRetryPolicy } from './model/variants';
import { RunSummary, RunSummaryInline, ScenarioHint } from './RunSummary';
import { SimControls } from './SimControls';
import { isTutorialScenario } from './scenarios';
import sim from './sim.module.css';
import { createSimulationClient, type SimulationClient } from './simulationClient';
import type { SimOptions } from './simulationProtocol';
import { hydratePresets, type ShownRun, type SimTab, useSimStore } from './simulationStore';
import { TaskDrawer } from './TaskDrawer';
import { Timeline } from './Timeline';
import { WhatIfView } from './WhatIfView';

export interface SimulationPanelProps {
  /** The document to simulate; null (or invalid) disables Simulate. */
  file: CanvasFile | null;
  /** Why `file` is null, shown on the disabled button (e.g. validation problems). */
  unavailableReason?: string;
  /** Only the controls row is shown (the dock is folded). */
  collapsed?: boolean;
  onToggleCollapsed?: () => void;
  /** The user's tasks (the editor's catalogue beyond the built-ins), so they can be simulated. */
  userTasks?: CatalogueEntry[];
}

/** The pools typed in the controls (`default=2x8,gpu=1x1`); nothing when empty or not valid yet. */
function poolOptions(text: string | undefined): Pick<SimOptions, 'pools'> {
  if (!text || text.trim() === '') return {};
  const pools = parsePools(text);
  return typeof pools === 'string' ? {} : { pools };
}

const TABS: ReadonlyArray<[SimTab, string]> = [
  ['timeline', 'Timeline'],
  ['events', 'Events'],
  ['whatif', 'What if'],
];

function describePolicy(options: object, target: string): string {
  const parts = Object.entries(options).map(([k, v]) => `${k}=${String(v)}`);
  return `${parts.length ? parts.join(', ') : 'no change'}${target ? ` on ${target}` : ''}`;
}

function safePathMap(file: CanvasFile) {
  try {
    return runPathMap(file);
  } catch {
    // A tree the normalizer rejects cannot have been simulated either; nodes then show no state.
    return undefined;
  }
}

/** `{key: value}`, or `{}` when value is undefined (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The file without the editor's uids (the simulator and exports never see them). */
function stripped(file: CanvasFile): CanvasFile {
  return { ...file, canvas: stripUids(file.canvas) };
}

/** Plays the run: advances the playhead on animation frames while `playing`. */
function usePlayback() {
  const playing = useSimStore((s) => s.playing);
  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    let last = performance.now();
    const tick = (now: number) => {
      const { run, playhead, speed, setPlayhead, setPlaying } = useSimStore.getState();
      if (!run) return;
      // Big runs repaint thousands of nodes per step: step them at ~12 frames/s instead of 60.
      if (run.timeline.bars.length > 500 && now - last < 80) {
        frame = requestAnimationFrame(tick);
        return;
      }
      const rate = speed > 0 ? speed : Math.max(run.endMs, 1) / 4000;
      const next = playhead + (now - last) * rate;
      last = now;
      setPlayhead(next);
      if (next >= run.endMs) setPlaying(false);
      else frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing]);
}

// The views that follow the playhead subscribe to it themselves, so the dock (and its 2,000-option task
// pickers on big canvases) does not re-render on every playback frame.

function seek(t: number): void {
  const { setPlaying, setPlayhead } = useSimStore.getState();
  setPlaying(false);
  setPlayhead(t);
}

function selectTask(id: string | null): void {
  useSimStore.getState().select(id);
}

function TimelineAtPlayhead(props: {
  timeline: ShownRun['timeline'];
  selectedTaskId: string | null;
  criticalTasks: ReadonlySet<string>;
}) {
  const playhead = useSimStore((s) => s.playhead);
  // A new run's Gantt (thousands of SVG bars at 10,000 tasks) is drawn a task after the rest of the
  // panel, so the two are not one long main-thread task; until then the previous one stays.
  const [drawn, setDrawn] = useState<ShownRun['timeline'] | null>(null);
  useEffect(() => {
    if (drawn === props.timeline) return;
    const timer = setTimeout(() => setDrawn(props.timeline), 0);
    return () => clearTimeout(timer);
  }, [drawn, props.timeline]);
  if (!drawn) return null;
  return <Timeline {...props} timeline={drawn} playhead={playhead} onSelect={selectTask} onSeek={seek} />;
}

function pickEvent(event: RunEvent): void {
  seek(event.at);
  if ('task_id' in event) selectTask(event.task_id);
}

function EventLogAtPlayhead({ events }: { events: RunEvent[] }) {
  const playhead = useSimStore((s) => s.playhead);
  return <EventLog events={events} playhead={playhead} onPick={pickEvent} />;
}

function DrawerAtPlayhead({ events, root }: { events: RunEvent[]; root: CanvasNode | undefined }) {
  const playhead = useSimStore((s) => s.playhead);
  const selected = useSimStore((s) =>
    s.selectedTaskId ? s.stateAt?.tasks.get(s.selectedTaskId) : undefined,
  );
  if (!selected) return null;
  return (
    <TaskDrawer
      task={selected}
      events={events}
      playhead={playhead}
      onClose={() => selectTask(null)}
      root={root}
    />
  );
}

/** The whole simulation dock. */
export function SimulationPanel({
  file,
  unavailableReason,
  collapsed = false,
  onToggleCollapsed,
  userTasks,
}: SimulationPanelProps) {
  const client = useRef<SimulationClient | null>(null);
  const cancelMc = useRef<(() => void) | null>(null);
  const tab = useSimStore((s) => s.tab);
  const run = useSimStore((s) => s.run);
  const selectedTaskId = useSimStore((s) => s.selectedTaskId);
  const tasks = useMemo(() => (file ? listTasks(file) : []), [file]);
  // Run paths are those of the tree Celery runs: captions read them against the normalized canvas.
  // A canvas Celery's composition nests too deep (NestingError) cannot be simulated: say so, do not crash.
  const normalized = useMemo(() => (file ? normalizeFileOrProblem(file) : undefined), [file]);
  const root = normalized?.root;
  const nesting = normalized?.problem;
  const criticalTasks = useMemo(() => new Set(run?.critical.tasks ?? []), [run]);
  usePlayback();

  useEffect(() => {
    hydratePresets();
    return () => {
      client.current?.dispose();
      client.current = null;
    };
  }, []);

  function getClient(): SimulationClient {
    if (!client.current) client.current = createSimulationClient();
    return client.current;
  }

  function currentOptions(): { file: CanvasFile; options: SimOptions } | null {
    if (!file) return null;
    const { settings, faults } = useSimStore.getState();
    return {
      file: withFaults(file, faults),
      options: {
        seed: settings.seed,
        workers: settings.workers,
        concurrency: settings.concurrency,
        ...poolOptions(settings.pools),
        ...(userTasks && userTasks.length > 0 ? { tasks: userTasks } : {}),
        ...(isTutorialScenario(settings.scenario) ? { scenario: settings.scenario } : {}),
      },
    };
  }

  async function simulate() {
    const current = currentOptions();
    if (!current) return;
    const store = useSimStore.getState();
    store.setStatus('running');
    try {
      const pending = getClient().simulate(stripped(current.file), current.options);
      // Mapped while the worker simulates (a task of its own), not in the task that shows the answer.
      const pathMap = safePathMap(current.file);
      const result = await pending;
      // The answer was deserialized in this task: show it in the next one (two shorter tasks).
      await new Promise((resolve) => setTimeout(resolve, 0));
      const after = useSimStore.getState();
      after.showRun({
        source: 'simulation',
        events: result.events,
        report: result.report,
        settings: after.settings,
        elapsed_ms: result.elapsed_ms,
        criticalTasks: result.critical_path,
        views: result.views,
        sourceCanvas: file?.canvas,
        ...optional('pathMap', pathMap),
      });
      // Show it happen: replay from the start (⏭ jumps to the end). Big runs open on their final
      // state (replaying thousands of nodes is a choice, not a default); ▶ plays them.
      if (result.report.tasks.length <= 300) {
        after.setPlayhead(0);
        after.setPlaying(true);
      }
    } catch (err) {
      useSimStore.getState().setStatus('error', err instanceof Error ? err.message : String(err));
    }
  }

  async function runWhatIf(compare: boolean) {
    const current = currentOptions();
    if (!current) return;
    const { policy, whatIf, setWhatIf, addSamples } = useSimStore.getState();
    const base = stripped(current.file);
    const variants = compare ? [base, withRetryPolicy(base, policy)] : [base];
    const target = policy.paths?.[0] ? (tasks.find((t) => t.path === policy.paths?.[0])?.label ?? '') : '';
    const labels = compare
      ? ['Current policy', `Candidate: ${describePolicy(policy.options, target)}`]
      : ['Current policy'];
    cancelMc.current?.();
    setWhatIf({ status: 'running', done: 0, samples: variants.map(() => []), labels });
    const started = performance.now();
    const job = getClient().monteCarlo(variants, current.options, whatIf.runs, (done, _total, samples) =>
      addSamples(samples, done),
    );
    cancelMc.current = job.cancel;
    try {
      await job.done;
      const elapsed = performance.now() - started;
      setWhatIf({ status: 'done', elapsed_ms: elapsed });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      setWhatIf(
        message === 'canceled'
          ? { status: 'done', elapsed_ms: performance.now() - started }
          : { status: 'error', error: message },
      );
    } finally {
      cancelMc.current = null;
    }
  }

  const store = useSimStore.getState();
  return (
    <section className={sim.panel} aria-label="Simulation" data-testid="simulation-panel">
      <SimControls
        onSimulate={() => void simulate()}
        disabled={!file || nesting !== undefined}
        {...(nesting !== undefined
          ? { disabledReason: nesting }
          : unavailableReason
            ? { disabledReason: unavailableReason }
            : { disabledReason: 'Open or draw a canvas first.' })}
      />
      {nesting === undefined ? null : (
        <p role="alert" className={sim.infoRow} data-testid="sim-nesting-problem">
          {nesting}
        </p>
      )}
      {collapsed ? (
        onToggleCollapsed ? (
          <div className={sim.tabs}>
            <RunSummaryInline />
            <button
              type="button"
              className={sim.tab}
              style={{ marginLeft: 'auto' }}
              onClick={onToggleCollapsed}
              aria-label="Unfold the simulation panel"
            >
              Show timeline, events, what-if ▴
            </button>
          </div>
        ) : null
      ) : (
        <>
          {/* Faults, the scenario hint and the run summary share one wrapping row: the timeline keeps
              the dock's height. */}
          <div className={sim.infoRow}>
            <FaultControls tasks={tasks} />
            {tab === 'whatif' ? null : (
              <>
                <ScenarioHint />
                <RunSummary canvas={file?.canvas} />
              </>
            )}
          </div>
          <div className={sim.tabs} role="tablist">
            {TABS.map(([id, label]) => (
              <button
                type="button"
                role="tab"
                key={id}
                aria-selected={tab === id}
                className={`${sim.tab} ${tab === id ? sim.tabActive : ''}`}
                onClick={() => store.setTab(id)}
                data-testid={`sim-tab-${id}`}
              >
                {label}
              </button>
            ))}
            {onToggleCollapsed ? (
              <button
                type="button"
                className={sim.tab}
                style={{ marginLeft: 'auto' }}
                onClick={onToggleCollapsed}
                aria-label="Fold the simulation panel"
              >
                Hide ▾
              </button>
            ) : null}
          </div>
          <div className={sim.body}>
            <div className={sim.main}>
              {tab === 'whatif' ? (
                <WhatIfView
                  tasks={tasks}
                  onRun={(compare) => void runWhatIf(compare)}
                  onCancel={() => cancelMc.current?.()}
                />
              ) : !run ? (
                <p className={sim.empty}>
                  Pick a scenario and press <strong>Simulate</strong>: the run plays on the canvas and here,
                  attempt by attempt.
                </p>
              ) : tab === 'timeline' ? (
                <TimelineAtPlayhead
                  timeline={run.timeline}
                  selectedTaskId={selectedTaskId}
                  criticalTasks={criticalTasks}
                />
              ) : (
                <EventLogAtPlayhead events={run.events} />
              )}
            </div>
            {run && tab !== 'whatif' ? <DrawerAtPlayhead events={run.events} root={root} /> : null}
          </div>
        </>
      )}
    </section>
  );
}
