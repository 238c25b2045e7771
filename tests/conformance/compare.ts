/**
 * Puts a real Celery run and a simulated run of the same canvas into one comparable shape:
 * - `states`: stored state + value / error (type, message) of every task of the canvas tree (each one
 *   is given an `id` label first, so both sides use the same task ids);
 * - `top`: the stored outcome of the top-level result (chain → last, group → list, chord → body);
 * - `observations`: record / on_error / on_error_id, as a sorted multiset unless the order is fixed;
 * - `executions`: every executed task message (name, args, kwargs, outcome, value / error) as a sorted
 *   multiset: callbacks, errback tasks, retries, replacements and add_to_chord additions, whose ids
 *   differ between Celery (uuids) and Chordflow (paths), are compared by what ran.
 */
import type { CanvasFile, CanvasNode, Json } from '@/lib/canvas/model';
import type { RunEvent } from '@/lib/protocol/events';
import type { RunReport } from '@/lib/protocol/report';
import type { CeleryRun, CeleryTop } from './celeryWorker';

export interface Outcome {
  state: string;
  value?: Json;
  error?: { type: string; message: string };
}

export interface TopOutcome {
  /** `apply-error`: applying the canvas raised in the caller (Celery's argument check). */
  status: 'success' | 'failure' | 'unsettled' | 'none' | 'apply-error';
  value?: Json;
  error?: { type: string; message: string };
}

export interface Comparable {
  states: Record<string, Outcome>;
  top: TopOutcome;
  observations: string[];
  executions: string[];
}

export interface CompareOptions {
  /** Observations in the order they happened (only where Celery's order is deterministic). */
  ordered?: boolean;
  /** Task names whose first argument is a list in no defined order (add_to_chord results). */
  unorderedArgsOf?: string[];
  /**
   * false: leave executed messages out. Where sending a continuation raises (Task.typing), Celery's
   * task_postrun still reports the function's return value (SUCCESS) while the stored state is FAILURE;
   * Chordflow reports the attempt as failed. Stored states, top and observations are still compared.
   */
  compareExecutions?: boolean;
}

/** JSON with object keys sorted, so equal values print equally. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Gives every task of the canvas tree (not links/errbacks: Celery copies those, so one label would
 * name several tasks) a unique `id` label `<prefix><n>`, or `<prefix><label>` for an existing label.
 */
export function labelTasks(file: CanvasFile, prefix: string): { file: CanvasFile; ids: string[] } {
  const ids: string[] = [];
  let n = 0;
  const visit = (node: CanvasNode): CanvasNode => {
    switch (node.type) {
      case 'task': {
        n += 1;
        const id = `${prefix}${node.id ?? `n${n}`}`;
        ids.push(id);
        return { ...node, id };
      }
      case 'chain':
      case 'group':
        return { ...node, tasks: node.tasks.map(visit) };
      case 'chord': {
        const header = node.header.map(visit);
        return { ...node, header, body: visit(node.body) };
      }
    }
  };
  return { file: { ...file, canvas: visit(file.canvas) }, ids };
}

type ErrorText = { type: string; message: string };

function stripArgs(error: ErrorText): ErrorText;
function stripArgs(error: ErrorText | undefined): ErrorText | undefined;
function stripArgs(error: ErrorText | undefined): ErrorText | undefined {
  return error === undefined ? undefined : { type: error.type, message: error.message };
}

function outcome(state: string, value: Json | undefined, error: Outcome['error']): Outcome {
  // A revoked task's error is Celery's internal TaskRevokedError: compare the state only.
  if (state === 'SUCCESS') return { state, value: value ?? null };
  if (state === 'FAILURE' && error !== undefined) return { state, error: stripArgs(error) };
  return { state };
}

function execution(
  name: string,
  args: Json[],
  kwargs: Json,
  kind: string,
  value: Json | undefined,
  error: Outcome['error'],
  opts: CompareOptions,
): string {
  const sorted =
    opts.unorderedArgsOf?.includes(name) && Array.isArray(args[0])
      ? [[...args[0]].sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1)), ...args.slice(1)]
      : args;
  const out: Record<string, unknown> = { name, args: sorted, kwargs, outcome: kind };
  if (kind === 'success') out.value = value ?? null;
  if (kind === 'failure') out.error = stripArgs(error);
  return canonical(out);
}

function observations(list: Json[], opts: CompareOptions): string[] {
  const out = list.map(canonical);
  return opts.ordered ? out : out.sort();
}

function celeryTop(top: CeleryTop): TopOutcome {
  if (top.kind === 'none') return { status: 'none' };
  const leaves: CeleryTop[] = [];
  const walk = (t: CeleryTop): Json => {
    if (t.kind === 'group') return t.items.map(walk);
    leaves.push(t);
    return t.kind === 'task' ? (t.value ?? null) : null;
  };
  const value = walk(top);
  const failed = leaves.find((l) => l.kind === 'task' && (l.state === 'FAILURE' || l.state === 'REVOKED'));
  if (failed?.kind === 'task') {
    return failed.error === undefined ? { status: 'failure' } : { status: 'failure', error: failed.error };
  }
  if (leaves.every((l) => l.kind === 'task' && l.state === 'SUCCESS')) return { status: 'success', value };
  return { status: 'unsettled' };
}

/** Celery's run in the comparable shape. */
export function fromCelery(run: CeleryRun, opts: CompareOptions = {}): Comparable {
  const states: Record<string, Outcome> = {};
  for (const [id, o] of Object.entries(run.states)) states[id] = outcome(o.state, o.value, o.error);
  const kinds: Record<string, string> = {
    SUCCESS: 'success',
    FAILURE: 'failure',
    RETRY: 'retry',
    IGNORED: 'replaced',
  };
  return {
    states,
    top: run.apply_error ? { status: 'apply-error', error: run.apply_error } : celeryTop(run.top),
    observations: observations(run.observations, opts),
    executions: run.executions
      .map((e) =>
        // No state: the worker's tracer failed outside the task body (an internal error).
        execution(
          e.name,
          e.args,
          e.kwargs,
          kinds[e.state ?? ''] ?? e.state ?? 'internal-error',
          e.value,
          e.error,
          opts,
        ),
      )
      .sort(),
  };
}

/** The simulator's run in the comparable shape (`ids`: the labelled canvas tasks). */
export function fromSimulation(
  sim: { events: RunEvent[]; report: RunReport },
  ids: string[],
  opts: CompareOptions = {},
): Comparable {
  const states: Record<string, Outcome> = {};
  for (const id of ids) {
    const t = sim.report.tasks.find((x) => x.id === id);
    states[id] = t === undefined ? { state: 'PENDING' } : outcome(t.state, t.result, t.error);
  }
  const r = sim.report;
  const top: TopOutcome =
    r.status === 'success'
      ? { status: 'success', value: r.result ?? null }
      : r.error !== undefined
        ? { status: 'failure', error: stripArgs(r.error) }
        : { status: 'failure' };

  const names = new Map<string, string>();
  const running = new Map<string, { name: string; args: Json[]; kwargs: Json }>();
  const executions: string[] = [];
  const end = (id: string, attempt: number, kind: string, value?: Json, error?: Outcome['error']) => {
    const key = `${id}#${attempt}`;
    const s = running.get(key);
    if (s === undefined) return;
    running.delete(key);
    executions.push(execution(s.name, s.args, s.kwargs, kind, value, error, opts));
  };
  for (const e of sim.events) {
    if (e.type === 'run.started') for (const t of e.tasks) names.set(t.task_id, t.name);
    else if (e.type === 'task.added') names.set(e.task.task_id, e.task.name);
    else if (e.type === 'task.queued') names.set(e.task_id, e.name);
    else if (e.type === 'task.started')
      running.set(`${e.task_id}#${e.attempt}`, {
        name: names.get(e.task_id) ?? '?',
        args: e.args ?? [],
        kwargs: e.kwargs ?? {},
      });
    else if (e.type === 'task.succeeded') end(e.task_id, e.attempt, 'success', e.result);
    else if (e.type === 'task.failed' && e.marked !== true)
      end(e.task_id, e.attempt, 'failure', undefined, e.error);
    else if (e.type === 'task.retried') end(e.task_id, e.attempt, 'retry');
    else if (e.type === 'task.replaced') {
      end(e.task_id, e.attempt, 'replaced');
      names.set(e.task_id, e.name);
    }
  }
  return {
    states,
    top,
    observations: observations(
      sim.report.observations.map((o) => o as Json),
      opts,
    ),
    executions: executions.sort(),
  };
}
