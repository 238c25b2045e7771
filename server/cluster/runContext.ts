/** Per-run data a worker needs for every message of a run, loaded once and cached (plans are frozen). */
import type { RunPlan } from '../../lib/engine/types';
import type { RunStore } from '../runs/runStore';

export interface RunContext {
  plan: RunPlan;
  /** Epoch ms the run started (events' `at` are relative to it). */
  startedMs: number;
  /** Initial header totals by barrier key. */
  barrierTotals: Map<string, number>;
  /** This process already marked the run `progress` (once per run and worker process is enough). */
  progressMarked?: boolean;
}

export class RunContexts {
  private readonly cache = new Map<string, Promise<RunContext | undefined>>();
  /** Runs known to be canceled (fed by the cancel channel and checked when a run is first seen). */
  readonly canceled = new Set<string>();

  constructor(
    private readonly store: RunStore,
    private readonly max = 256,
  ) {}

  get(runId: string): Promise<RunContext | undefined> {
    let hit = this.cache.get(runId);
    if (hit) return hit;
    hit = this.load(runId);
    this.cache.set(runId, hit);
    hit.then((v) => {
      if (!v) this.cache.delete(runId);
    });
    if (this.cache.size > this.max) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return hit;
  }

  forget(runId: string): void {
    this.cache.delete(runId);
  }

  private async load(runId: string): Promise<RunContext | undefined> {
    const redis = this.store.redis;
    const [[, fields], [, canceled]] = (await redis
      .multi()
      .hmget(this.store.keys.run(runId), 'plan', 'started_ms')
      .exists(this.store.keys.cancel(runId))
      .exec()) as [[unknown, Array<string | null>], [unknown, number]];
    const [planText, started] = fields;
    if (!planText) return undefined;
    if (canceled === 1) this.canceled.add(runId);
    const plan = JSON.parse(planText) as RunPlan;
    return {
      plan,
      startedMs: Number(started ?? 0),
      barrierTotals: new Map(plan.barriers.map((b) => [b.key, b.total])),
    };
  }
}
