/**
 * `serve`'s workers as child processes (`chordflow worker`), supervised: the web process plans and stores
 * runs, answers HTTP and streams events, and none of that can starve a worker's event loop, which holds
 * BullMQ job locks (a starved lock renewal means a false stall and a task run twice). A child that dies
 * is restarted; each child holds an IPC channel, so it stops when `serve` dies, even by SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Logger } from '../log';
import { projectRoot } from '../projectRoot';
import { within } from '../shutdown';

/**
 * V8 options a worker process starts with unless the operator gave their own. A worker allocates fast
 * and keeps every in-flight job's run state alive across each young-generation collection (scavenge),
 * which copies all of it: with the default 16 MB semi-space a burst of small runs spent ~20% of the
 * worker's CPU in scavenges, with 64 MB about half that (`bench:engine`, independent small runs).
 */
export const WORKER_V8_OPTIONS: readonly string[] = ['--max-semi-space-size=64'];

/** `WORKER_V8_OPTIONS` not already set by `execArgv` or NODE_OPTIONS (theirs win). */
export function workerV8Options(execArgv: readonly string[], nodeOptions = ''): string[] {
  const given = `${execArgv.join(' ')} ${nodeOptions}`;
  return WORKER_V8_OPTIONS.filter((o) => !given.includes(o.slice(0, o.indexOf('='))));
}

export interface WorkerProcessesOptions {
  count: number;
  env: Record<string, string>;
  log?: Logger;
  /** Restart a child that exits on its own after this delay (ms). */
  restartDelayMs?: number;
}

export interface WorkerProcesses {
  /** Live children's pids. */
  pids(): number[];
  /**
   * SIGTERM to every child (each bounds its own shutdown by CHORDFLOW_SHUTDOWN_MS); SIGKILL after
   * `timeoutMs`. Resolves with how many children were still running then (their tasks are redelivered).
   */
  stop(timeoutMs: number): Promise<number>;
}

export function startWorkerProcesses(options: WorkerProcessesOptions): WorkerProcesses {
  const children = new Set<ChildProcess>();
  let stopping = false;

  const bin = join(projectRoot(), 'bin', 'chordflow.js');
  const failures = new Map<number, number>();

  const spawnOne = (slot: number) => {
    const born = Date.now();
    // The node options serve runs with (--cpu-prof, --max-old-space-size, …) apply to its workers too, as
    // with cluster.fork.
    const v8 = workerV8Options(process.execArgv, process.env.NODE_OPTIONS);
    const child = spawn(process.execPath, [...process.execArgv, ...v8, bin, 'worker'], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.add(child);
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (stopping) return;
      // A child that keeps dying at once is restarted less and less often (up to once a minute).
      const quick = Date.now() - born < 10_000 ? (failures.get(slot) ?? 0) + 1 : 0;
      failures.set(slot, quick);
      const delay = Math.min(60_000, (options.restartDelayMs ?? 1000) * 2 ** Math.max(0, quick - 1));
      options.log?.warn(
        { worker_slot: slot, code, signal, restart_in_ms: delay },
        `worker process ${slot} exited (${signal ?? `code ${code}`}); restarting it`,
      );
      setTimeout(() => {
        if (!stopping) spawnOne(slot);
      }, delay).unref();
    });
  };
  for (let i = 1; i <= options.count; i++) spawnOne(i);

  return {
    pids: () => [...children].map((c) => c.pid ?? 0).filter(Boolean),
    async stop(timeoutMs) {
      stopping = true;
      const exits = [...children].map(
        (c) =>
          new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve()))),
      );
      for (const c of children) c.kill('SIGTERM');
      await within(Promise.all(exits), timeoutMs, undefined);
      const killed = children.size;
      for (const c of children) c.kill('SIGKILL');
      return killed;
    },
  };
}
