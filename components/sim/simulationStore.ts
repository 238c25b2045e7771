/**
 * The sim slice: the run being shown (simulated now, live later — both are an event list), the playhead
 * for time travel, playback, selection, injected faults, presets and the what-if results.
 * Node components read their own state with `useNodeRun(path)`; everything derived from events is
 * computed once per playhead move here, not per node.
 */
import { create } from 'zustand';
import type { SimModel } from '../../lib/canvas/model';
import type { RunEvent } from '../../lib/protocol/events';
import type { RunReport } from '../../lib/protocol/report';
import { type CriticalPath, criticalPath } from './model/criticalPath';
import type { RunSample } from './model/monteCarloStats';
import type { RunPathMap } from './model/pathMap';
import {
  createRunCursor,
  type RunCursor,
  type RunStateAt,
  runStateAt,
  type TaskRunState,
} from './model/runState';
import type { RunViews } from './model/runViews';
import { buildTimeline, type Timeline } from './model/timeline';
import type { PathKey, PolicyOverride } from './model/variants';
import type { ScenarioId } from './scenarios';

export interface SimSettings {
  scenario: ScenarioId;
  seed: number;
  workers: number;
  concurrency: number;
  /** Worker pools per queue, `default=2x8,gpu=1x1`; empty = the workers above take every queue. */
  pools?: string;
}

export interface SimPreset extends SimSettings {
  name: string;
  faults: Record<PathKey, SimModel>;
}

export interface ShownRun {
  source: 'simulation' | 'live';
  events: RunEvent[];
  report?: RunReport;
  timeline: Timeline;
  critical: CriticalPath;
  /** Paths on the critical path (canvas node highlighting). */
  criticalPaths: Set<string>;
  /** Time of the last event. */
  endMs: number;
  settings?: SimSettings;
  elapsed_ms?: number;
  /** Editor node uid → run paths, for the document this run was made from. */
  pathMap?: RunPathMap;
  /** Time travel over `events` (incremental when moving forward). */
  cursor: RunCursor;
  /** The canvas tree the run was made from (to tell when the document changed since). */
  sourceCanvas?: unknown;
}

export interface WhatIfState {
  status: 'idle' | 'running' | 'done' | 'error';
  runs: number;
  done: number;
  /** Samples per variant: [current, candidate?]. */
  samples: RunSample[][];
  labels: string[];
  elapsed_ms?: number;
  error?: string;
}

export type SimTab = 'timeline' | 'events' | 'whatif';

export interface SimState {
  settings: SimSettings;
  faults: Record<PathKey, SimModel>;
  presets: SimPreset[];
  status: 'idle' | 'running' | 'error';
  error?: string;
  run: ShownRun | null;
  playhead: number;
  playing: boolean;
  /** Virtual ms per real ms; 0 = "fit": the whole run plays in about 4 s. */
  speed: number;
  stateAt: RunStateAt | null;
  selectedTaskId: string | null;
  tab: SimTab;
  policy: PolicyOverride;
  whatIf: WhatIfState;

  setSettings(patch: Partial<SimSettings>): void;
  setFault(path: PathKey, fault: SimModel | null): void;
  setFaults(faults: Record<PathKey, SimModel>): void;
  savePreset(name: string): void;
  deletePreset(name: string): void;
  applyPreset(name: string): void;
  setStatus(status: SimState['status'], error?: string): void;
  showRun(run: {
    source: ShownRun['source'];
    events: RunEvent[];
    report?: RunReport;
    settings?: SimSettings;
    elapsed_ms?: number;
    pathMap?: RunPathMap;
    /** The interpreter's own critical path (task ids); else it is read from the events. */
    criticalTasks?: string[];
    /** Views the simulation worker already derived from `events` and `criticalTasks`. */
    views?: RunViews;
    sourceCanvas?: unknown;
  }): void;
  clearRun(): void;
  setPlayhead(t: number): void;
  setPlaying(playing: boolean): void;
  setSpeed(speed: number): void;
  /** Moves the playhead to the next (+1) or previous (-1) event time. */
  step(direction: 1 | -1): void;
  select(taskId: string | null): void;
  setTab(tab: SimTab): void;
  setPolicy(policy: PolicyOverride): void;
  setWhatIf(patch: Partial<WhatIfState>): void;
  addSamples(samples: RunSample[][], done: number): void;
}

const PRESETS_KEY = 'chordflow.sim.presets';

function loadPresets(): SimPreset[] {
  if (typeof localStorage === 'undefined') return [];
  try {
    const raw = localStorage.getItem(PRESETS_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? (parsed as SimPreset[]) : [];
  } catch {
    return [];
  }
}

function storePresets(presets: SimPreset[]): void {
  if (typeof localStorage === 'undefined') return;
  try {
    localStorage.setItem(PRESETS_KEY, JSON.stringify(presets));
  } catch {
    // Storage full or disabled: presets then live for this page only.
  }
}

/** Keeps the previous task object when nothing visible changed, so unchanged nodes do not re-render. */
function shareUnchanged(next: RunStateAt, prev: RunStateAt | null): RunStateAt {
  if (!prev) return next;
  for (const [id, task] of next.tasks) {
    const old = prev.tasks.get(id);
    if (
      old &&
      old.status === task.status &&
      old.attempt === task.attempt &&
      old.since === task.since &&
      old.retryAt === task.retryAt &&
      old.worker === task.worker &&
      old.result === task.result &&
      old.error === task.error
    )
      next.tasks.set(id, old);
  }
  return next;
}

function eventTimes(events: readonly RunEvent[]): number[] {
  const times = new Set<number>();
  for (const e of events) times.add(e.at);
  return [...times].sort((a, b) => a - b);
}

let timesCache: { events: readonly RunEvent[]; times: number[] } | null = null;
function timesOf(events: readonly RunEvent[]): number[] {
  if (timesCache?.events !== events) timesCache = { events, times: eventTimes(events) };
  return timesCache.times;
}

export const useSimStore = create<SimState>()((set, get) => ({
  settings: { scenario: 'custom', seed: 1, workers: 1, concurrency: 4 },
  faults: {},
  presets: [],
  status: 'idle',
  run: null,
  playhead: 0,
  playing: false,
  speed: 0,
  stateAt: null,
  selectedTaskId: null,
  tab: 'timeline',
  policy: { options: { max_retries: 5 } },
  whatIf: { status: 'idle', runs: 1000, done: 0, samples: [], labels: [] },

  setSettings: (patch) => set({ settings: { ...get().settings, ...patch } }),
  setFault: (path, fault) => {
    const faults = { ...get().faults };
    if (fault) faults[path] = fault;
    else delete faults[path];
    set({ faults });
  },
  setFaults: (faults) => set({ faults }),
  savePreset: (name) => {
    const { settings, faults } = get();
    const presets = [...loadPresets().filter((p) => p.name !== name), { name, ...settings, faults }];
    storePresets(presets);
    set({ presets });
  },
  deletePreset: (name) => {
    const presets = loadPresets().filter((p) => p.name !== name);
    storePresets(presets);
    set({ presets });
  },
  applyPreset: (name) => {
    const preset = (get().presets.length ? get().presets : loadPresets()).find((p) => p.name === name);
    if (!preset) return;
    const { faults, name: _name, ...settings } = preset;
    set({ settings, faults });
  },
  setStatus: (status, error) => set(error === undefined ? { status, error: '' } : { status, error }),
  showRun: ({
    source,
    events,
    report,
    settings,
    elapsed_ms,
    pathMap,
    criticalTasks,
    views,
    sourceCanvas,
  }) => {
    let timeline: Timeline;
    let critical: CriticalPath;
    let criticalPaths: Set<string>;
    let cursor: RunCursor;
    if (views && criticalTasks) {
      // Derived in the worker: the main thread only wires them up (no fold of every event here).
      timeline = views.timeline;
      critical = { tasks: criticalTasks, span_ms: 0 };
      criticalPaths = new Set(views.criticalPaths);
      cursor = createRunCursor(events, views.fold);
    } else {
      timeline = buildTimeline(events);
      critical = criticalTasks ? { tasks: criticalTasks, span_ms: 0 } : criticalPath(events);
      const final = runStateAt(events, Number.POSITIVE_INFINITY);
      criticalPaths = new Set<string>();
      for (const id of critical.tasks) {
        const task = final.tasks.get(id);
        if (task) criticalPaths.add(task.path);
      }
      cursor = createRunCursor(events);
    }
    const endMs = timeline.endMs;
    const run: ShownRun = {
      source,
      events,
      cursor,
      timeline,
      critical,
      criticalPaths,
      endMs,
      ...(report ? { report } : {}),
      ...(settings ? { settings } : {}),
      ...(elapsed_ms !== undefined ? { elapsed_ms } : {}),
      ...(pathMap ? { pathMap } : {}),
      ...(sourceCanvas !== undefined ? { sourceCanvas } : {}),
    };
    set({ run, playhead: endMs, stateAt: cursor.at(endMs), status: 'idle', error: '' });
  },
  clearRun: () => set({ run: null, stateAt: null, playhead: 0, playing: false, selectedTaskId: null }),
  setPlayhead: (t) => {
    const { run, stateAt } = get();
    if (!run) return;
    const clamped = Math.max(0, Math.min(run.endMs, t));
    set({ playhead: clamped, stateAt: shareUnchanged(run.cursor.at(clamped), stateAt) });
  },
  setPlaying: (playing) => {
    const { run, playhead } = get();
    // Playing from the end starts over.
    if (playing && run && playhead >= run.endMs) get().setPlayhead(0);
    set({ playing });
  },
  setSpeed: (speed) => set({ speed }),
  step: (direction) => {
    const { run, playhead } = get();
    if (!run) return;
    const times = timesOf(run.events);
    let target = direction > 0 ? run.endMs : 0;
    if (direction > 0) {
      for (const t of times)
        if (t > playhead) {
          target = t;
          break;
        }
    } else {
      for (let i = times.length - 1; i >= 0; i -= 1) {
        const t = times[i] ?? 0;
        if (t < playhead) {
          target = t;
          break;
        }
      }
    }
    set({ playing: false });
    get().setPlayhead(target);
  },
  select: (taskId) => set({ selectedTaskId: taskId }),
  setTab: (tab) => set({ tab }),
  setPolicy: (policy) => set({ policy }),
  setWhatIf: (patch) => set({ whatIf: { ...get().whatIf, ...patch } }),
  addSamples: (samples, done) => {
    const whatIf = get().whatIf;
    const merged = samples.map((list, i) => [...(whatIf.samples[i] ?? []), ...list]);
    set({ whatIf: { ...whatIf, samples: merged, done } });
  },
}));

/** Loads saved presets (call once on the client; localStorage is not available during SSR). */
export function hydratePresets(): void {
  useSimStore.setState({ presets: loadPresets() });
}

/** Run path of an editor node: its uid mapped through the run's path map, else the key itself. */
function runPathOf(s: SimState, key: string): string {
  return s.run?.pathMap?.taskPaths.get(key)?.[0] ?? key;
}

/**
 * The run state of an editor task node (its first task), or undefined when no run is shown.
 * `key` is the node's editor uid (mapped through the run's path map) or a run path (`tasks.1.header.0`).
 */
export function useNodeRun(key: string): TaskRunState | undefined {
  return useSimStore((s) => {
    const id = s.stateAt?.byPath.get(runPathOf(s, key))?.[0];
    return id === undefined ? undefined : s.stateAt?.tasks.get(id);
  });
}

/** True when the editor node (uid or run path) lies on the shown run's critical path. */
export function useNodeOnCriticalPath(key: string): boolean {
  return useSimStore((s) => s.run?.criticalPaths.has(runPathOf(s, key)) ?? false);
}

/** Chord barrier progress for an editor container (uid) or a chord run path. */
export function useChordProgress(key: string): { done: number; total: number } | undefined {
  return useSimStore((s) => s.stateAt?.chords.get(s.run?.pathMap?.chordPaths.get(key) ?? key));
}
