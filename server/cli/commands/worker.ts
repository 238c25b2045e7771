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
  const { isRedisReachable } = await import('../../redis/connection');
  if (!(await isRedisReachable(config.redisUrl))) {
    io.err(
      `chordflow worker: Redis at ${config.redisUrl} does not answer; start redis-server or set REDIS_URL.\n`,
    );
    return 1;
  }
  const { createLogger } = await import('../../log');
  const log = createLogger('chordflow-worker', config.logLevel);
  const { loadTaskRegistry } = await import('../../tasks/registry');
  const registry = await loadTaskRegistry(values.tasks ?? config.tasksDir);
  for (const p of registry.problems) log.warn(p);
  const { startClusterWorker } = await import('../../cluster/worker');
  const worker = await startClusterWorker({
    redisUrl: config.redisUrl,
    prefix: config.keyPrefix,
    registry,
    concurrency,
    ...(queues ? { queues } : {}),
    barriers: !values['no-barriers'],
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
    ...(config.modelServiceUrl ? { modelServiceUrl: config.modelServiceUrl } : {}),
    log,
  });
  io.out(
    `chordflow worker ${worker.name} is ready (queues ${(queues ?? ['default']).join(', ')}, concurrency ${concurrency}).\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log.info('shutting down');
  await worker.close(config.shutdownTimeoutMs);
  return 0;
}
