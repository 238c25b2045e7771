/**
 * Messages between the page and the simulation Web Worker. Plain JSON (structured clone), so a run's
 * events cross the boundary once, in slices: the page deserializes each message in one main-thread task,
 * and 40,000 events in one message made a long task.
 */
import type { CatalogueEntry } from '../../lib/canvas/catalogue';
import type { CanvasFile } from '../../lib/canvas/model';
import type { RunEvent } from '../../lib/protocol/events';
import type { RunReport } from '../../lib/protocol/report';
import type { WorkerPool } from '../../lib/sim/pools';
import type { RunSample } from './model/monteCarloStats';
import type { RunViews } from './model/runViews';
import type { TutorialScenario } from './scenarios';

export interface SimOptions {
  seed: number;
  workers: number;
  concurrency: number;
  /** Worker pools per queue (replace workers × concurrency when set). */
  pools?: WorkerPool[];
  /** The user's tasks (from the server's catalogue), so canvases naming them can be simulated. */
  tasks?: CatalogueEntry[];
  scenario?: TutorialScenario;
}

export type WorkerRequest =
  | { kind: 'simulate'; id: number; file: CanvasFile; options: SimOptions }
  | {
      kind: 'monteCarlo';
      id: number;
      /** One or two variants (current, candidate); each runs the same seeds. */
      variants: CanvasFile[];
      options: SimOptions;
      runs: number;
      /** Samples per progress message. */
      chunk: number;
    }
  | { kind: 'cancel'; id: number };

export type WorkerResponse =
  /** A slice of a simulated run's events, ahead of its `simulated` answer (each is cloned in a task of its own). */
  | { kind: 'events'; id: number; events: RunEvent[] }
  | {
      kind: 'simulated';
      id: number;
      /** The events after the slices sent as `events` messages. */
      events: RunEvent[];
      report: RunReport;
      critical_path: string[];
      /** Timeline, end fold and critical paths, built in the worker so the page does not. */
      views: RunViews;
      elapsed_ms: number;
    }
  | { kind: 'progress'; id: number; done: number; total: number; samples: RunSample[][] }
  | { kind: 'monteCarloDone'; id: number; elapsed_ms: number }
  | { kind: 'error'; id: number; message: string };
