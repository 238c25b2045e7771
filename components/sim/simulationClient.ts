/**
 * The page's handle on the simulation worker: promise-based calls, progress callbacks, cancel.
 * One worker per page, created lazily (module worker bundled by Next).
 */
import type { CanvasFile } from '../../lib/canvas/model';
import type { RunEvent } from '../../lib/protocol/events';
import type { RunReport } from '../../lib/protocol/report';
import type { RunSample } from './model/monteCarloStats';
import type { RunViews } from './model/runViews';
import type { SimOptions, WorkerRequest, WorkerResponse } from './simulationProtocol';

export interface SimulationResult {
  events: RunEvent[];
  report: RunReport;
  critical_path: string[];
  views: RunViews;
  elapsed_ms: number;
}

interface Pending {
  /** Event slices received ahead of a `simulated` answer. */
  slices?: RunEvent[][];
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onProgress?: (done: number, total: number, samples: RunSample[][]) => void;
}

export interface SimulationClient {
  simulate(file: CanvasFile, options: SimOptions): Promise<SimulationResult>;
  /** Resolves with the elapsed worker time once every chunk was reported through `onProgress`. */
  monteCarlo(
    variants: CanvasFile[],
    options: SimOptions,
    runs: number,
    onProgress: (done: number, total: number, samples: RunSample[][]) => void,
  ): { done: Promise<number>; cancel: () => void };
  dispose(): void;
}

/** Creates the client (browser only). */
export function createSimulationClient(): SimulationClient {
  const worker = new Worker(new URL('./simulation.worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  worker.onmessage = (message: MessageEvent<WorkerResponse>) => {
    const response = message.data;
    const entry = pending.get(response.id);
    if (!entry) return;
    switch (response.kind) {
      case 'events':
        if (entry.slices) entry.slices.push(response.events);
        else entry.slices = [response.events];
        break;
      case 'simulated':
        pending.delete(response.id);
        entry.resolve({
          events: entry.slices ? [...entry.slices.flat(), ...response.events] : response.events,
          report: response.report,
          critical_path: response.critical_path,
          views: response.views,
          elapsed_ms: response.elapsed_ms,
        });
        break;
      case 'progress':
        entry.onProgress?.(response.done, response.total, response.samples);
        break;
      case 'monteCarloDone':
        pending.delete(response.id);
        entry.resolve(response.elapsed_ms);
        break;
      case 'error':
        pending.delete(response.id);
        entry.reject(new Error(response.message));
        break;
    }
  };
  worker.onerror = (event) => {
    const err = new Error(
      `The simulation worker stopped: ${event.message || 'unknown error'}. Reload the page to retry.`,
    );
    for (const entry of pending.values()) entry.reject(err);
    pending.clear();
  };
  function send(request: WorkerRequest): void {
    worker.postMessage(request);
  }
  return {
    simulate(file, options) {
      const id = nextId++;
      return new Promise<SimulationResult>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        send({ kind: 'simulate', id, file, options });
      });
    },
    monteCarlo(variants, options, runs, onProgress) {
      const id = nextId++;
      const done = new Promise<number>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
        // Chunks of ~50 ms of work keep progress fluid without drowning the page in messages.
        send({ kind: 'monteCarlo', id, variants, options, runs, chunk: Math.max(50, Math.ceil(runs / 20)) });
      });
      return {
        done,
        cancel: () => {
          send({ kind: 'cancel', id });
          const entry = pending.get(id);
          pending.delete(id);
          entry?.reject(new Error('canceled'));
        },
      };
    },
    dispose() {
      worker.terminate();
      pending.clear();
    },
  };
}
