/**
 * What the Run button says about the cluster before submitting: Redis missing, no workers, model
 * service down — each as a sentence saying what to do. Pure (takes the /api/health answer).
 */
export interface HealthAnswer {
  status?: string;
  redis?: string;
  message?: string;
  workers?: { count?: number };
  model_service?: string;
  /** Present when the server can also run on the user's Celery cluster (CHORDFLOW_CELERY_BROKER). */
  celery?: { broker?: string; queue?: string };
}

export interface ClusterReadiness {
  /** False when a run cannot start at all (no Redis). */
  canRun: boolean;
  /** Sentences to show, most important first. */
  notes: string[];
  /** The Celery cluster the server can send runs to (broker URL without password), if any. */
  celery?: string;
}

export function clusterReadiness(health: HealthAnswer | null, fetchError?: string): ClusterReadiness {
  if (!health) {
    return {
      canRun: false,
      notes: [fetchError ?? 'The Chordflow server did not answer. Start it with `npx chordflow serve`.'],
    };
  }
  if (health.redis !== 'ok') {
    return {
      canRun: false,
      notes: [
        `Runs need Redis. ${health.message ? `${health.message.trim().replace(/\.+$/, '')}.` : 'None is available: install redis-server or set REDIS_URL, then restart `npx chordflow serve`.'} The editor and the simulator keep working without it.`,
      ],
    };
  }
  const notes: string[] = [];
  if ((health.workers?.count ?? 0) === 0)
    notes.push(
      'No worker is running: the run will wait in the queue until one starts (`npx chordflow worker`).',
    );
  if (health.model_service === 'down')
    notes.push(
      'The mock model service does not answer: the tutorial tasks will fail with connection errors.',
    );
  const celery = health.celery?.broker;
  return celery ? { canRun: true, notes, celery } : { canRun: true, notes };
}
