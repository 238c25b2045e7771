/**
 * Bounded shutdown for long-running commands (`serve`, `worker`), as an operator expects it:
 * the first SIGTERM/SIGINT stops taking work and lets running tasks finish for `CHORDFLOW_SHUTDOWN_MS`;
 * then the process exits whatever it is waiting for (a task that never returns, a Redis that is gone) —
 * unfinished jobs are redelivered by BullMQ's stall check. A second signal exits at once.
 */
import type { Logger } from './log';

/** How long after the drain deadline the process may spend disconnecting before it is forced out. */
export const SHUTDOWN_GRACE_MS = 750;

export interface ShutdownSignalOptions {
  /** How long running tasks may take to finish (CHORDFLOW_SHUTDOWN_MS). */
  timeoutMs: number;
  log?: Logger;
  /** Injected for tests; default `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * Resolves on the first SIGTERM or SIGINT. From then on a second signal exits with code 130 and a hard
 * deadline (`timeoutMs` + `SHUTDOWN_GRACE_MS`) exits with code 1, so the caller's orderly close can never
 * keep the process alive longer than the operator allowed.
 */
export function shutdownSignal(options: ShutdownSignalOptions): Promise<NodeJS.Signals> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = options.log;
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      log?.info(
        { signal, timeout_ms: options.timeoutMs },
        `${signal}: taking no new work; running tasks have ${options.timeoutMs} ms to finish (send it again to exit now)`,
      );
      const again = (s: NodeJS.Signals) => {
        log?.warn({ signal: s }, `${s} again: exiting now; unfinished tasks will be redelivered`);
        exit(130);
      };
      process.on('SIGINT', again);
      process.on('SIGTERM', again);
      const hard = setTimeout(() => {
        log?.warn('shutdown deadline reached: exiting now; unfinished tasks will be redelivered');
        exit(1);
      }, options.timeoutMs + SHUTDOWN_GRACE_MS);
      hard.unref();
      resolve(signal);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}

/** Resolves `work`'s value, or `fallback` once `ms` have passed (the timer never keeps the process alive). */
export function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
    timer.unref();
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
