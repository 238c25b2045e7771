/**
 * Test helpers: simulate a small canvas and look its tasks up by id. Used by the engine and simulator
 * unit tests only.
 */
import { createCatalogue } from '../../canvas/catalogue';
import type { CanvasNode, Json } from '../../canvas/model';
import type { RunEvent } from '../../protocol/events';
import type { RunReport, TaskReport } from '../../protocol/report';
import { simulate } from '../simulate';

export const catalogue = createCatalogue();

export interface SimRun {
  report: RunReport;
  events: RunEvent[];
  /** The task report with this id (throws a readable error when absent). */
  task(id: string): TaskReport;
  /** Result of task `id` (throws unless SUCCESS). */
  value(id: string): Json | undefined;
  states(): Record<string, string>;
  observations: Json[];
}

export function runCanvas(
  canvas: CanvasNode,
  opts: {
    args?: Json[];
    kwargs?: Record<string, Json>;
    allowHeaderErrback?: boolean;
    seed?: number;
    workers?: number;
    concurrency?: number;
    scenario?: string;
  } = {},
): SimRun {
  const { report, events } = simulate(
    {
      canvas,
      invoke: { args: opts.args ?? [], kwargs: opts.kwargs ?? {} },
      config: { task_allow_error_cb_on_chord_header: opts.allowHeaderErrback ?? false },
    },
    {
      catalogue,
      seed: opts.seed ?? 1,
      workers: opts.workers ?? 1,
      concurrency: opts.concurrency ?? 8,
      ...(opts.scenario !== undefined ? { scenario: opts.scenario } : {}),
    },
  );
  const task = (id: string): TaskReport => {
    const t = report.tasks.find((x) => x.id === id);
    if (t === undefined) throw new Error(`no task ${id}; tasks: ${report.tasks.map((x) => x.id).join(', ')}`);
    return t;
  };
  return {
    report,
    events,
    task,
    value: (id) => {
      const t = task(id);
      if (t.state !== 'SUCCESS') throw new Error(`task ${id} is ${t.state}: ${t.error?.message ?? ''}`);
      return t.result;
    },
    states: () => Object.fromEntries(report.tasks.map((t) => [t.id, t.state])),
    observations: report.observations,
  };
}
