/**
 * Runs one attempt of a user task on its own worker thread, so its time limit can *stop* it: Celery's
 * `time_limit` kills the process running a task; a Node task in the worker's own thread cannot be
 * stopped (a synchronous loop would also starve the job locks of every other task). When the attempt's
 * signal aborts (time limit, cancel) the thread is terminated, whatever the task is doing. Used for
 * tasks that have a time limit (starting a thread costs a few milliseconds; the rest run in-process).
 */
import { Worker } from 'node:worker_threads';
import type { Json, JsonObject } from '../../lib/canvas/model';
import type { AttemptOutcome } from '../../lib/engine/types';
import { AbortedError } from '../cluster/effects';

/** The thread's program (CommonJS, evaluated): import the module, run the task, post what happened. */
const THREAD = `
const { parentPort, workerData: w } = require('node:worker_threads');
const ac = new AbortController();
parentPort.on('message', (m) => { if (m === 'abort') ac.abort('soft'); });
function errorOf(err) {
  if (err instanceof Error) {
    const type = typeof err.type === 'string' ? err.type : err.name === 'Error' ? 'Exception' : err.name;
    return { type, message: err.message };
  }
  return { type: 'Exception', message: String(err) };
}
(async () => {
  const mod = await import(w.url);
  const all = [mod.default, mod.task, ...Object.values(mod)].flatMap((x) => (Array.isArray(x) ? x : [x]));
  const task = all.find((t) => t && t.name === w.name && typeof t.run === 'function');
  if (!task) throw new Error('task ' + w.name + ' not found in its module');
  const retry = (o = {}) => Object.assign(new Error('retry'), { __retry: { countdown: o.countdown, max_retries: o.max_retries, exc: o.exc ? errorOf(o.exc) : undefined } });
  try {
    const value = await task.run(w.args, w.kwargs, { ...w.ctx, signal: ac.signal, retry });
    let json;
    try { json = JSON.stringify(value === undefined ? null : value); } catch (e) { parentPort.postMessage({ unstorable: String(e && e.message) }); return; }
    parentPort.postMessage({ json });
  } catch (err) {
    if (err && err.__retry) parentPort.postMessage({ retry: err.__retry });
    else parentPort.postMessage({ error: errorOf(err) });
  }
})().catch((err) => parentPort.postMessage({ error: errorOf(err) }));
`;

type Reply =
  | { json: string }
  | { unstorable: string }
  | { retry: { countdown?: number; max_retries?: number | null; exc?: { type: string; message: string } } }
  | { error: { type: string; message: string } };

export function runUserTaskInThread(
  url: string,
  name: string,
  args: Json[],
  kwargs: JsonObject,
  ctx: { task_id: string; run_id: string; retries: number },
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  return new Promise<AttemptOutcome>((resolve, reject) => {
    const worker = new Worker(THREAD, { eval: true, workerData: { url, name, args, kwargs, ctx } });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      f();
      void worker.terminate();
    };
    const onAbort = () => settle(() => reject(new AbortedError(String(signal.reason))));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (r: Reply) =>
      settle(() => {
        if ('json' in r) resolve({ kind: 'success', value: JSON.parse(r.json) as Json });
        else if ('unstorable' in r) {
          resolve({
            kind: 'error',
            error: {
              type: 'EncodeError',
              message: `The result of task ${name} cannot be stored as JSON: ${unstorableReason(r.unstorable)}`,
            },
          });
        } else if ('retry' in r) {
          resolve({
            kind: 'retry',
            ...(r.retry.exc ? { exc: r.retry.exc } : {}),
            ...(r.retry.countdown !== undefined ? { countdown_s: r.retry.countdown } : {}),
            ...(r.retry.max_retries !== undefined ? { max_retries: r.retry.max_retries } : {}),
          });
        } else resolve({ kind: 'error', error: r.error });
      }),
    );
    worker.once('error', (err) =>
      settle(() => resolve({ kind: 'error', error: { type: 'Exception', message: err.message } })),
    );
    worker.once('exit', (code) =>
      settle(() =>
        resolve({
          kind: 'error',
          error: { type: 'WorkerLostError', message: `Worker exited prematurely: exitcode ${code}.` },
        }),
      ),
    );
  });
}

function unstorableReason(message: string): string {
  if (/BigInt/i.test(message)) return 'it contains a BigInt (convert it to a number or a string).';
  if (/circular/i.test(message)) return 'it contains a cycle (an object that refers to itself).';
  return `${message}.`;
}
