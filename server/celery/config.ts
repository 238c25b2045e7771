/**
 * The server's Celery target from the environment: `CHORDFLOW_CELERY_BROKER` (enables it),
 * `CHORDFLOW_CELERY_BACKEND` (default: the broker URL), `CHORDFLOW_CELERY_QUEUE` (default `celery`),
 * `CHORDFLOW_CELERY_OBSERVATIONS` (a Redis list on the backend the tasks push observations to) and
 * `CHORDFLOW_CELERY_TASKS_FILE` (task catalogue when workers do not answer `inspect registered`).
 */
import { type CeleryTarget, checkCeleryUrl } from './connection';

export interface CeleryConfig {
  target: CeleryTarget;
  observationsKey?: string;
  tasksFile?: string;
}

/** The Celery target, undefined when not configured; throws with a sentence on a bad URL. */
export function loadCeleryConfig(env: NodeJS.ProcessEnv = process.env): CeleryConfig | undefined {
  const broker = env.CHORDFLOW_CELERY_BROKER;
  if (!broker) return undefined;
  const backend = env.CHORDFLOW_CELERY_BACKEND || broker;
  for (const [url, name] of [
    [broker, 'CHORDFLOW_CELERY_BROKER'],
    [backend, 'CHORDFLOW_CELERY_BACKEND'],
  ] as const) {
    const problem = checkCeleryUrl(url, name);
    if (problem) throw new Error(problem);
  }
  return {
    target: { brokerUrl: broker, backendUrl: backend, queue: env.CHORDFLOW_CELERY_QUEUE || 'celery' },
    ...(env.CHORDFLOW_CELERY_OBSERVATIONS ? { observationsKey: env.CHORDFLOW_CELERY_OBSERVATIONS } : {}),
    ...(env.CHORDFLOW_CELERY_TASKS_FILE ? { tasksFile: env.CHORDFLOW_CELERY_TASKS_FILE } : {}),
  };
}
