/** Per-run data a worker needs for every message of a run, loaded once and cached (plans are frozen). */
import type { RunPlan } from '../../lib/engine/types';
import { assemblePlan, PlanGoneError } from '../runs/planParts';
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

/** Size of each loaded context's plan JSON (the cache's byte budget). */
const PLAN_BYTES = new WeakMap<RunContext, number>();

/**
 * Plans by run id, least recently used evicted first. Sized for many runs in flight at once (1,000
 * independent small runs would otherwise reload each plan for every one of their jobs), and bounded by
 * the plans' JSON size too, so a few 100,000-task plans cannot take the worker's memory.
 */
export class RunContexts {
  private readonly cache = new Map<string, Promise<RunContext | undefined>>();
  /** The contexts of `cache` that are loaded (`ready`: no await for a run's every job but its first). */
  private readonly loaded = new Map<string, RunContext>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;
  /** Runs known to be canceled (fed by the cancel channel and checked when a run is first seen). */
  readonly canceled = new Set<string>();

  constructor(
    private readonly store: RunStore,
    private readonly max = 4096,
    private readonly maxBytes = 256 * 1024 * 1024,
  ) {}

  /** The run's context if it is loaded already (then as `get` would give it, without a promise). */
  ready(runId: string): RunContext | undefined {
    const ctx = this.loaded.get(runId);
    if (ctx) this.get(runId);
    return ctx;
  }

  get(runId: string): Promise<RunContext | undefined> {
    const hit = this.cache.get(runId);
    if (hit) {
      // Most recently used goes last (Map order is insertion order).
      this.cache.delete(runId);
      this.cache.set(runId, hit);
      return hit;
    }
    const loading = this.load(runId);
    this.cache.set(runId, loading);
    loading.then(
      (v) => {
        // Only the entry this load belongs to (it may have been evicted, or replaced, meanwhile).
        if (this.cache.get(runId) !== loading) return;
        if (!v) this.forget(runId);
        else {
          const size = PLAN_BYTES.get(v) ?? 0;
          this.loaded.set(runId, v);
          this.sizes.set(runId, size);
          this.bytes += size;
          this.evict();
        }
      },
      () => {
        // A failed load (Redis away) is not remembered: the next job of the run tries again.
        if (this.cache.get(runId) === loading) this.forget(runId);
      },
    );
    this.evict();
    return loading;
  }

  forget(runId: string): void {
    this.cache.delete(runId);
    this.loaded.delete(runId);
    this.bytes -= this.sizes.get(runId) ?? 0;
    this.sizes.delete(runId);
  }

  private evict(): void {
    while (this.cache.size > this.max || (this.bytes > this.maxBytes && this.cache.size > 1)) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
  }

  private async load(runId: string): Promise<RunContext | undefined> {
    const head = await this.store.getRunHead(runId);
    if (!head) return undefined;
    if (head.canceled) this.canceled.add(runId);
    // A big plan comes in slices, one Redis round trip each: this worker's loop keeps renewing its job
    // locks while it loads (server/runs/planParts.ts).
    let plan: RunPlan;
    let planBytes: number;
    try {
      ({ plan, chars: planBytes } = await assemblePlan<RunPlan>(
        this.store.redis,
        this.store.keys.run(runId),
        head.plan,
        head.parts,
      ));
    } catch (err) {
      if (err instanceof PlanGoneError) return undefined;
      throw err;
    }
    const ctx: RunContext = {
      plan,
      startedMs: head.startedMs,
      barrierTotals: new Map(plan.barriers.map((b) => [b.key, b.total])),
    };
    PLAN_BYTES.set(ctx, planBytes);
    return ctx;
  }
}
