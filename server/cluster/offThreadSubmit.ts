/**
 * The web process's side of submitThread.ts: one worker thread that takes ad-hoc canvas submits, so
 * planning and storing a huge run never blocks HTTP, Socket.IO or (with `--inline-workers`) job-lock
 * renewal. Available when running the compiled CLI (the thread is a JavaScript file next to this one);
 * from TypeScript sources (tests) submits run inline as before.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Json } from '../../lib/canvas/model';
import type { RunRecord } from '../runs/runStore';
import { SubmitError } from './client';

export interface OffThreadInput {
  canvas: unknown;
  name?: string;
  project?: string;
  payload?: Json;
  comment?: string;
}

export interface OffThreadResult {
  record: RunRecord;
  /** Queue → some task names of the run (planQueues). */
  queues: Map<string, string[]>;
}

export interface OffThreadSubmitter {
  submit(input: OffThreadInput): Promise<OffThreadResult>;
  close(): Promise<void>;
}

type Reply =
  | { ready: true }
  | { id: number; ok: true; record: RunRecord; queues: Array<[string, string[]]> }
  | { id: number; ok: false; submitError: boolean; message: string; problems: string[] };

export function startOffThreadSubmitter(options: {
  redisUrl: string;
  prefix: string;
  tasksDir: string;
  submitBatch?: number;
}): OffThreadSubmitter | undefined {
  const here = import.meta.url;
  if (!here.startsWith('file:') || !here.endsWith('.js')) return undefined;
  const entry = new URL('./submitThread.js', here);
  if (!existsSync(fileURLToPath(entry))) return undefined;

  let worker: Worker | undefined;
  let seq = 0;
  const pending = new Map<number, { resolve: (r: OffThreadResult) => void; reject: (e: Error) => void }>();

  const failAll = (message: string) => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };
  const thread = (): Worker => {
    if (worker) return worker;
    const w = new Worker(entry, { workerData: options });
    w.on('message', (reply: Reply) => {
      if ('ready' in reply) return;
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve({ record: reply.record, queues: new Map(reply.queues) });
      else
        p.reject(
          reply.submitError ? new SubmitError(reply.message, reply.problems) : new Error(reply.message),
        );
    });
    // A crashed thread fails what it held; the next submit starts a new one.
    w.on('error', (err) => failAll(`the submit thread failed: ${err.message}`));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll('the submit thread stopped');
    });
    worker = w;
    return w;
  };
  thread();

  return {
    submit(input) {
      const id = ++seq;
      return new Promise<OffThreadResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread().postMessage({ id, ...input });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
