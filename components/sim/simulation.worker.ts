/// <reference lib="webworker" />
/**
 * The simulation Web Worker: runs the simulator and Monte Carlo batches off the main thread, so the
 * page never freezes. Monte Carlo runs in chunks and yields between them (progress, cancel).
 */
import type { RunSample } from './model/monteCarloStats';
import { deriveRunViews } from './model/runViews';
import { planVariant, runOne, sampleRun } from './runSimulation';
import type { WorkerRequest, WorkerResponse } from './simulationProtocol';

declare const self: DedicatedWorkerGlobalScope;

const canceled = new Set<number>();

/** Events per message: each takes the page some tens of ms to deserialize at most. */
const EVENT_SLICE = 5000;

function post(message: WorkerResponse): void {
  self.postMessage(message);
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return `The simulation could not run: ${text}`;
}

function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function monteCarlo(request: Extract<WorkerRequest, { kind: 'monteCarlo' }>): Promise<void> {
  const started = performance.now();
  const { variants, options, runs, chunk, id } = request;
  const plans = variants.map((file) => planVariant(file, options));
  for (let from = 0; from < runs; from += chunk) {
    if (canceled.has(id)) {
      canceled.delete(id);
      return;
    }
    const to = Math.min(runs, from + chunk);
    const samples: RunSample[][] = variants.map(() => []);
    for (let i = from; i < to; i += 1) {
      const seed = options.seed + i;
      plans.forEach((plan, v) => {
        samples[v]?.push(sampleRun(plan, options, seed));
      });
    }
    post({ kind: 'progress', id, done: to, total: runs, samples });
    await yieldToMessages();
  }
  post({ kind: 'monteCarloDone', id, elapsed_ms: performance.now() - started });
}

self.onmessage = (message: MessageEvent<WorkerRequest>) => {
  const request = message.data;
  try {
    switch (request.kind) {
      case 'simulate': {
        const started = performance.now();
        const { events, report, critical_path } = runOne(request.file, request.options);
        // The page's views are derived here too: at 10,000 tasks they cost the main thread ~1 s.
        const views = deriveRunViews(events, critical_path);
        let from = 0;
        for (; events.length - from > EVENT_SLICE; from += EVENT_SLICE)
          post({ kind: 'events', id: request.id, events: events.slice(from, from + EVENT_SLICE) });
        post({
          kind: 'simulated',
          id: request.id,
          events: from === 0 ? events : events.slice(from),
          report,
          critical_path,
          views,
          elapsed_ms: performance.now() - started,
        });
        break;
      }
      case 'monteCarlo':
        monteCarlo(request).catch((err: unknown) =>
          post({ kind: 'error', id: request.id, message: errorText(err) }),
        );
        break;
      case 'cancel':
        canceled.add(request.id);
        break;
    }
  } catch (err) {
    post({ kind: 'error', id: request.id, message: errorText(err) });
  }
};
