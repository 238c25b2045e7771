import { parseArgs } from 'node:util';
import type { CliIO } from '../io';

/** `chordflow worker [--concurrency N] [--queues a,b]` — a BullMQ worker process interpreting the core. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      concurrency: { type: 'string' },
      queues: { type: 'string' },
      'no-barriers': { type: 'boolean' },
      tasks: { type: 'string' },
    },
  });
  const { loadConfig } = await import('../../config');
  const config = loadConfig();
  const concurrency = Number(values.concurrency ?? config.workerConcurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    io.err(`chordflow worker: --concurrency must be a positive integer, got "${values.concurrency}".\n`);
    return 1;
  }
  const queues = values.queues
    ? values.queues
        .split(',')
        .map((q) => q.trim())
        .filter(Boolean)
    : config.workerQueues;
  const { createLogger } = await import('../../log');
  const log = createLogger('chordflow-worker', config.logLevel);
  const { shutdownSignal } = await import('../../shutdown');
  const stop = shutdownSignal({ timeoutMs: config.shutdownTimeoutMs, log });
  // Under `serve` the parent holds an IPC channel: when it dies (even SIGKILL) this worker stops too —
  // from the very start, also while it still waits for Redis or connects.
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const { isRedisReachable, waitForRedis } = await import('../../redis/connection');
  if (!(await isRedisReachable(config.redisUrl))) {
    // Start anyway and come up when Redis does (a supervisor may start us before Redis).
    log.warn(
      { redis: config.redisUrl },
      `Redis at ${config.redisUrl} is not answering; the worker starts when it is back`,
    );
    if (!(await waitForRedis(config.redisUrl, stop))) return 0;
    log.info({ redis: config.redisUrl }, `Redis at ${config.redisUrl} is answering again`);
  }
  const { loadTaskRegistry } = await import('../../tasks/registry');
  const registry = await loadTaskRegistry(values.tasks ?? config.tasksDir);
  for (const p of registry.problems) log.warn(p);
  const { startClusterWorker } = await import('../../cluster/worker');
  const starting = startClusterWorker({
    redisUrl: config.redisUrl,
    prefix: config.keyPrefix,
    registry,
    concurrency,
    ...(queues ? { queues } : {}),
    barriers: !values['no-barriers'],
    lockDurationMs: config.lockDurationMs,
    bundleBacklog: config.bundleBacklog,
    stalledIntervalMs: config.stalledIntervalMs,
    ...(config.modelServiceUrl ? { modelServiceUrl: config.modelServiceUrl } : {}),
    log,
  });
  const worker = await Promise.race([starting, stop.then(() => undefined)]);
  if (!worker) {
    // Signalled while connecting: give the start a moment to settle so its connections close cleanly.
    const { within } = await import('../../shutdown');
    const late = await within(starting, 500, undefined);
    await late?.close(0);
    return 0;
  }
  io.out(
    `chordflow worker ${worker.name} is ready (queues ${(queues ?? ['default']).join(', ')}, concurrency ${concurrency}).\n`,
  );
  await stop;
  await worker.close(config.shutdownTimeoutMs);
  return 0;
}
