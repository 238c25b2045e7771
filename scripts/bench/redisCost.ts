/**
 * What a workload costs Redis: commands executed (INFO commandstats, which counts the commands run
 * inside Lua scripts too, plus the EVALSHA calls themselves), round trips from clients (calls that are
 * not inside a script), and bytes in and out (INFO stats). Divided by tasks for the bench's lines.
 */
import type { Redis } from 'ioredis';

interface Snapshot {
  calls: Map<string, number>;
  netIn: number;
  netOut: number;
  usedMemory: number;
}

async function snapshot(conn: Redis): Promise<Snapshot> {
  const [stats, cmds, mem] = await Promise.all([
    conn.info('stats'),
    conn.info('commandstats'),
    conn.info('memory'),
  ]);
  const num = (text: string, key: string) => Number(new RegExp(`${key}:(\\d+)`).exec(text)?.[1] ?? 0);
  const calls = new Map<string, number>();
  for (const m of cmds.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) calls.set(m[1] ?? '', Number(m[2]));
  return {
    calls,
    netIn: num(stats, 'total_net_input_bytes'),
    netOut: num(stats, 'total_net_output_bytes'),
    usedMemory: num(mem, 'used_memory'),
  };
}

export interface RedisCost {
  commands_per_task: number;
  /** EVALSHA/EVAL calls per task: BullMQ's Lua scripts (each one round trip or one pipeline entry). */
  scripts_per_task: number;
  bytes_in_per_task: number;
  bytes_out_per_task: number;
  /** The twelve commands run most, per task. */
  top: Record<string, number>;
}

/** Runs `fn` and returns its Redis cost per task (`tasks` = units of work). */
export async function measureRedisCost<T>(
  conn: Redis,
  tasks: number,
  fn: () => Promise<T>,
): Promise<{ value: T; cost: RedisCost }> {
  const a = await snapshot(conn);
  const value = await fn();
  const b = await snapshot(conn);
  const per = (x: number) => Math.round((x / tasks) * 10) / 10;
  const diff = new Map<string, number>();
  for (const [k, v] of b.calls) {
    const d = v - (a.calls.get(k) ?? 0);
    if (d > 0 && k !== 'info') diff.set(k, d);
  }
  let total = 0;
  for (const v of diff.values()) total += v;
  const scripts = (diff.get('evalsha') ?? 0) + (diff.get('eval') ?? 0);
  const top = Object.fromEntries(
    [...diff.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 12)
      .map(([k, v]) => [k, per(v)]),
  );
  return {
    value,
    cost: {
      commands_per_task: per(total),
      scripts_per_task: per(scripts),
      bytes_in_per_task: Math.round((b.netIn - a.netIn) / tasks),
      bytes_out_per_task: Math.round((b.netOut - a.netOut) / tasks),
      top,
    },
  };
}
