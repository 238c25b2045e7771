/**
 * Worker pools per queue for the simulator: `default=2x8,gpu=1x1` means two workers with eight slots each
 * consuming the default queue and one single-slot worker consuming `gpu` — the simulated counterpart of
 * `chordflow worker --queues gpu --concurrency 1`. Without pools every worker consumes every queue.
 */
import type { PlanTask, RunPlan, TaskMessage } from '../engine/types';

export interface WorkerPool {
  /** Celery queue name (`default` = the default queue: unset, `celery` or `default`). */
  queue: string;
  workers: number;
  concurrency: number;
}

/** The queue a task's options route it to, as workers name it. */
export function queueName(queue: string | undefined): string {
  return !queue || queue === 'celery' || queue === 'default' ? 'default' : queue;
}

/** The queue a message goes to. */
export function messageQueue(plan: RunPlan, msg: TaskMessage): string {
  const options = msg.dynamic?.options ?? (plan.tasks[msg.task] as PlanTask | undefined)?.options;
  return queueName(options?.queue);
}

/** Parses `queue=WORKERSxSLOTS,…` (e.g. `default=2x8,gpu=1x1`); a sentence when it is not that. */
export function parsePools(text: string): WorkerPool[] | string {
  const pools: WorkerPool[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_.:-]+)=(\d+)x(\d+)$/.exec(part);
    if (!m) return `"${part}" is not QUEUE=WORKERSxSLOTS (e.g. default=2x8,gpu=1x1).`;
    const workers = Number(m[2]);
    const concurrency = Number(m[3]);
    if (workers < 1 || concurrency < 1) return `"${part}" needs at least one worker with one slot.`;
    const queue = queueName(m[1]);
    if (pools.some((p) => p.queue === queue)) return `Queue "${queue}" is given twice.`;
    pools.push({ queue, workers, concurrency });
  }
  return pools.length > 0 ? pools : 'Give at least one pool, e.g. default=2x8.';
}

/** The queues of `plan` no pool consumes, with some of their task names (the run would wait forever). */
export function unservedQueues(
  plan: RunPlan,
  pools: readonly WorkerPool[],
): Array<{ queue: string; tasks: string[] }> {
  const served = new Set(pools.map((p) => p.queue));
  const out = new Map<string, string[]>();
  for (const t of plan.tasks) {
    const q = queueName(t.options.queue);
    if (served.has(q)) continue;
    const names = out.get(q) ?? [];
    if (!names.includes(t.name) && names.length < 5) names.push(t.name);
    out.set(q, names);
  }
  return [...out].map(([queue, tasks]) => ({ queue, tasks }));
}
