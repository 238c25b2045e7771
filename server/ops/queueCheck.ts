/**
 * "Who will run this?" — the queues a run's tasks go to against the queues live workers consume, so a
 * run that would wait forever for a worker says so at submit (a warning in the 201 answer) and while it
 * waits (GET /api/workflows/<id> `waiting_for`, shown by the live views).
 */
import type { RunPlan } from '../../lib/engine/types';
import type { WorkerInfo } from './heartbeat';

/** Celery queue name as workers report it: the default queue (unset, `celery`, `default`) is `default`. */
export function celeryQueue(queue: string | undefined): string {
  return !queue || queue === 'celery' || queue === 'default' ? 'default' : queue;
}

/** Queue → task names of the plan that go there. */
export function planQueues(plan: RunPlan): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of plan.tasks) {
    const q = celeryQueue(t.options?.queue);
    const names = out.get(q) ?? [];
    if (!names.includes(t.name) && names.length < 5) names.push(t.name);
    out.set(q, names);
  }
  return out;
}

export interface QueueWithoutWorker {
  queue: string;
  /** Some of the tasks waiting for it (at most 5 names). */
  tasks: string[];
}

/** The plan's queues (a plan, or its `planQueues`) no live worker consumes. */
export function queuesWithoutWorkers(
  plan: RunPlan | Map<string, string[]>,
  workers: WorkerInfo[],
): QueueWithoutWorker[] {
  const consumed = new Set(workers.flatMap((w) => w.queues.map(celeryQueue)));
  return [...(plan instanceof Map ? plan : planQueues(plan))]
    .filter(([q]) => !consumed.has(q))
    .map(([queue, tasks]) => ({ queue, tasks }));
}

/** One sentence per queue nobody consumes. */
export function queueWarnings(missing: QueueWithoutWorker[], workerCount: number): string[] {
  if (missing.length === 0) return [];
  if (workerCount === 0)
    return ['No worker is running: the run waits until one starts (chordflow worker, or chordflow serve).'];
  return missing.map(
    (m) =>
      `No live worker consumes queue "${m.queue}" (${m.tasks.join(', ')}): those tasks wait until one starts (chordflow worker --queues ${m.queue}).`,
  );
}
