import { describe, expect, it } from 'vitest';
import { clusterReadiness } from './clusterStatus';

describe('cluster readiness', () => {
  it('blocks runs without Redis and says what to do', () => {
    const r = clusterReadiness({
      status: 'degraded',
      redis: 'not available',
      message: 'REDIS_URL does not answer',
    });
    expect(r.canRun).toBe(false);
    expect(r.notes[0]).toBe(
      'Runs need Redis. REDIS_URL does not answer. The editor and the simulator keep working without it.',
    );
  });

  it('warns about missing workers and a down model service but allows the run', () => {
    const r = clusterReadiness({ redis: 'ok', workers: { count: 0 }, model_service: 'down' });
    expect(r.canRun).toBe(true);
    expect(r.notes).toHaveLength(2);
    expect(clusterReadiness({ redis: 'ok', workers: { count: 2 }, model_service: 'ok' }).notes).toEqual([]);
  });

  it('reports an unreachable server', () => {
    expect(clusterReadiness(null).canRun).toBe(false);
  });
});
