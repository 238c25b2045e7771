'use client';
/**
 * The simulation dock under the canvas: controls, run summary, Timeline / Events / What-if tabs and
 * the task drawer. The simulator runs in a Web Worker; the views read the sim slice, whose run is just
 * an event list, so live runs reuse every view.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { CanvasFile } from '../../lib/canvas/model';
import { stripUids } from '../../lib/store/uids';
import { EventLog } from './EventLog';
import { runPathMap } from './model/pathMap';
import { formatMs, type NodeRunStatus } from './model/runState';
import { listTasks, withFaults, withRetryPolicy } from './model/variants';
import { FaultControls, SimControls } from './SimControls';
import { isTutorialScenario, SCENARIOS } from './scenarios';
import sim from './sim.module.css';
import { createSimulationClient, type SimulationClient } from './simulationClient';
import type { SimOptions } from './simulationProtocol';
import { hydratePresets, type SimTab, useSimStore } from './simulationStore';
import { STATUS_COLOR, STATUS_LABEL } from './statusStyle';
import { TaskDrawer } from './TaskDrawer';
import { Timeline } from './Timeline';
import { WhatIfView } from './WhatIfView';

export interface SimulationPanelProps {
  /** The document to simulate; null (or invalid) disables Simulate. */
  file: CanvasFile | null;
  /** Why `file` is null, shown on the disabled button (e.g. validation problems). */
  unavailableReason?: string;
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

function RunSummary() {
  const run = useSimStore((s) => s.run);
  const stateAt = useSimStore((s) => s.stateAt);
  const status = useSimStore((s) => s.status);
  const error = useSimStore((s) => s.error);
  const counts = useMemo(() => {
    const c = new Map<NodeRunStatus, number>();
    for (const t of stateAt?.tasks.values() ?? []) c.set(t.status, (c.get(t.status) ?? 0) + 1);
    return c;
  }, [stateAt]);
  if (status === 'error')
    return (
      <div className={sim.error} role="alert">
        {error}
      </div>
    );
  if (!run) return null;
  const names = run.critical.tasks.map((id) => stateAt?.tasks.get(id)?.name ?? id);
  const finalStatus = run.report?.status;
  return (
    <div
      className={sim.summary}
      data-testid="sim-summary"
      data-status={finalStatus ?? ''}
      data-makespan={run.report?.makespan_ms ?? run.endMs}
    >
      <span>
        Run{' '}
        <strong
          style={{
            color:
              finalStatus === 'success'
                ? STATUS_COLOR.success
                : finalStatus
                  ? STATUS_COLOR.failure
                  : undefined,
          }}
        >
          {finalStatus ?? (stateAt?.finished ? stateAt.finished.status : 'in progress')}
        </strong>
        {run.report?.error ? ` — ${run.report.error.type}: ${run.report.error.message}` : ''}
      </span>
      <span>
        makespan <strong>{formatMs(run.report?.makespan_ms ?? run.endMs)}</strong>
      </span>
      <span>
        {[...counts.entries()].map(([s, n]) => (
          <span key={s} style={{ marginRight: 10 }}>
            <span className={sim.statusDot} style={{ background: STATUS_COLOR[s] }} />
            {n} {STATUS_LABEL[s]}
          </span>
        ))}
      </span>
      {names.length ? (
        <span title="The tasks whose completions gated the end of the run">
          critical path <strong style={{ color: 'var(--st-critical)' }}>{names.join(' → ')}</strong>
        </span>
      ) : null}
      {run.elapsed_ms !== undefined ? <span>simulated in {formatMs(run.elapsed_ms)}</span> : null}
    </div>
  );
}

function ScenarioHint() {
  const scenario = useSimStore((s) => s.settings.scenario);
  const info = SCENARIOS.find((x) => x.id === scenario);
  return info ? (
    <div className={sim.summary} data-testid="scenario-hint">
      <span>
        <strong>{info.label}</strong> — {info.summary}
      </span>
    </div>
  ) : null;
}

/** The whole simulation dock. */
export function SimulationPanel({ file, unavailableReason }: SimulationPanelProps) {
  const client = useRef<SimulationClient | null>(null);
  const cancelMc = useRef<(() => void) | null>(null);
  const tab = useSimStore((s) => s.tab);
  const run = useSimStore((s) => s.run);
  const playhead = useSimStore((s) => s.playhead);
  const selectedTaskId = useSimStore((s) => s.selectedTaskId);
  const selected = useSimStore((s) =>
    s.selectedTaskId ? s.stateAt?.tasks.get(s.selectedTaskId) : undefined,
  );
  const tasks = useMemo(() => (file ? listTasks(file) : []), [file]);
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
      const result = await getClient().simulate(stripped(current.file), current.options);
      const after = useSimStore.getState();
      after.showRun({
        source: 'simulation',
        events: result.events,
        report: result.report,
        settings: after.settings,
        elapsed_ms: result.elapsed_ms,
        ...optional('pathMap', safePathMap(current.file)),
      });
      // Show it happen: replay from the start (⏭ jumps to the end).
      after.setPlayhead(0);
      after.setPlaying(true);
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
        disabled={!file}
        {...(unavailableReason
          ? { disabledReason: unavailableReason }
          : { disabledReason: 'Open or draw a canvas first.' })}
      />
      <FaultControls tasks={tasks} />
      <ScenarioHint />
      <RunSummary />
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
            <Timeline
              timeline={run.timeline}
              playhead={playhead}
              selectedTaskId={selectedTaskId}
              criticalTasks={criticalTasks}
              onSelect={store.select}
              onSeek={(t) => {
                store.setPlaying(false);
                store.setPlayhead(t);
              }}
            />
          ) : (
            <EventLog
              events={run.events}
              playhead={playhead}
              onPick={(event) => {
                store.setPlaying(false);
                store.setPlayhead(event.at);
                if ('task_id' in event) store.select(event.task_id);
              }}
            />
          )}
        </div>
        {selected && run ? (
          <TaskDrawer
            task={selected}
            events={run.events}
            playhead={playhead}
            onClose={() => store.select(null)}
          />
        ) : null}
      </div>
    </section>
  );
}
