/**
 * What `bench:engine` measures with, on the bench's private Redis: CPU time of this process and of
 * redis-server around a piece of work, waiting for many runs to finish, and waiting until the ended runs'
 * jobs are removed. Bench code, not the engine's: each poll below is the bench's own Redis traffic.
 */
import type { Redis } from 'ioredis';

/** CPU time (µs) this process and redis-server spent. */
export type CpuSample = { node_us: number; redis_us: number };

export interface EngineProbes {
  /**
   * `fn`'s value and the CPU time this process and redis-server spend while it runs: less sensitive than
   * wall time to the other load on a shared machine. Only meaningful in-process (`--procs` workers are
   * other processes).
   */
  withCpu<T>(fn: () => Promise<T>): Promise<{ value: T } & CpuSample>;
  /**
   * Waits for many runs with one pipelined status poll per 20 ms (waiting for them one by one would add
   * a round trip per run after the last one finished and understate the throughput).
   */
  waitAllFinished(ids: string[]): Promise<void>;
  /**
   * Waits until the jobs of the runs that ended are removed (server/cluster/runCleanup.ts, a moment after
   * each run's end): that work is part of what a run costs, so it is counted in the case's CPU and Redis
   * figures (not in its time) and never lands in the next case's.
   */
  cleaned(): Promise<void>;
}

/** Probes on `conn`; `runKey(id)` is a run record's key, `prefix` the cluster's key prefix. */
export function engineProbes(conn: Redis, runKey: (id: string) => string, prefix: string): EngineProbes {
  const redisCpu = async () => {
    const info = await conn.info('cpu');
    const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return (get('used_cpu_sys') + get('used_cpu_user')) * 1e6;
  };
  const pause = () => new Promise((r) => setTimeout(r, 20));
  return {
    async withCpu(fn) {
      const r0 = await redisCpu();
      const n0 = process.cpuUsage();
      const value = await fn();
      const n = process.cpuUsage(n0);
      const r1 = await redisCpu();
      return { value, node_us: n.user + n.system, redis_us: r1 - r0 };
    },

    async waitAllFinished(ids) {
      let pending = ids;
      const deadline = Date.now() + 600_000;
      // Runs finish roughly in submit order: the oldest 100 are polled, and while the oldest is still
      // open only that one (~5 HGETs per run otherwise).
      let probe = 100;
      while (pending.length > 0) {
        if (Date.now() > deadline) throw new Error(`${pending.length} bench runs did not finish in time`);
        const head = pending.slice(0, probe);
        const p = conn.pipeline();
        for (const id of head) p.hget(runKey(id), 'status');
        const results = (await p.exec()) ?? [];
        const open = new Set<string>();
        results.forEach(([, status], i) => {
          const id = head[i] ?? '';
          if (status === 'success') return;
          if (status === 'error' || status === 'canceled' || status === null)
            throw new Error(`bench run ${id} ended ${String(status)}`);
          open.add(id);
        });
        pending = pending.filter((id, i) => i >= head.length || open.has(id));
        probe = open.has(head[0] ?? '') ? 1 : 100;
        if (open.size > 0) await pause();
      }
    },

    async cleaned() {
      const deadline = Date.now() + 120_000;
      while ((await conn.zcard(`${prefix}:ended`)) > 0) {
        if (Date.now() > deadline) throw new Error('the ended runs were not cleaned up in time');
        await pause();
      }
    },
  };
}
