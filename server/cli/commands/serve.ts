import { parseArgs } from 'node:util';
import type { CliIO } from '../io';

/**
 * `chordflow serve [--port N] [--host H] [--dev] [--workers N] [--no-web] [--insecure]` — web + API + Socket.IO +
 * in-process workers + the mock model service. Redis: REDIS_URL if it answers, else a local redis-server
 * (AOF in ./data/redis) when installed, else none (editor and simulator still work; runs answer 503).
 * A non-loopback --host needs CHORDFLOW_API_TOKEN, or --insecure (logged as such).
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      dev: { type: 'boolean' },
      workers: { type: 'string' },
      'no-web': { type: 'boolean' },
      insecure: { type: 'boolean' },
      'inline-workers': { type: 'boolean' },
    },
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port <= 0) {
    io.err(`chordflow serve: --port must be a positive integer, got "${values.port}"\n`);
    return 1;
  }
  const { loadConfig } = await import('../../config');
  const config = loadConfig();
  const host = values.host ?? '127.0.0.1';
  const { bindRefusal, isLoopbackHost } = await import('../../http/security/bindCheck');
  const refusal = bindRefusal(host, config.apiToken, values.insecure ?? false);
  if (refusal) {
    io.err(`chordflow serve: ${refusal}\n`);
    return 1;
  }
  const workerCount = values.workers !== undefined ? Number(values.workers) : config.workerCount;
  if (!Number.isInteger(workerCount) || workerCount < 0) {
    io.err(`chordflow serve: --workers must be a non-negative integer, got "${values.workers}"\n`);
    return 1;
  }
  const dev = values.dev ?? false;
  const withWeb = !values['no-web'];
  // A fresh clone has no production build: it runs in the background (server/webBuild.ts) while the
  // API and workers come up, and the page shows how far it is.
  let build: import('../../webBuild').WebBuild | undefined;
  if (withWeb && !dev) {
    const { hasWebBuild, startWebBuild } = await import('../../webBuild');
    const { projectRoot } = await import('../../projectRoot');
    if (!hasWebBuild(projectRoot())) {
      io.err(
        'chordflow serve: no production build found — building the web app once (next build); the page shows its progress…\n',
      );
      build = startWebBuild(projectRoot(), (chunk) => io.err(chunk));
    }
  }
  const { createLogger } = await import('../../log');
  const log = createLogger('chordflow', config.logLevel);
  const { shutdownSignal, within } = await import('../../shutdown');
  const stop = shutdownSignal({ timeoutMs: config.shutdownTimeoutMs, log });
  // Workers run in child processes by default, so planning and storing a huge run here can never starve
  // their job-lock renewal; --inline-workers (or CHORDFLOW_INLINE_WORKERS=1) keeps them in this process.
  const inline = values['inline-workers'] ?? process.env.CHORDFLOW_INLINE_WORKERS === '1';
  const { startStack } = await import('../../cluster/stack');
  const stack = await startStack({
    config,
    log,
    workers: inline ? workerCount : 0,
    waitForRedis: true,
    // CHORDFLOW_SUBMIT_INLINE=1 plans on the main thread (the benchmark's reference).
    offThreadSubmit: process.env.CHORDFLOW_SUBMIT_INLINE !== '1',
  });
  if (stack.modelServiceUrl && !process.env.MODEL_SERVICE_URL)
    process.env.MODEL_SERVICE_URL = stack.modelServiceUrl;
  let children: { stop(timeoutMs: number): Promise<number> } | undefined;
  if (!inline && workerCount > 0 && stack.redisUrl) {
    const { startWorkerProcesses } = await import('../../cluster/workerProcesses');
    children = startWorkerProcesses({
      count: workerCount,
      env: {
        REDIS_URL: stack.redisUrl,
        CHORDFLOW_PREFIX: config.keyPrefix,
        CHORDFLOW_TASKS_DIR: config.tasksDir,
        ...(stack.modelServiceUrl ? { MODEL_SERVICE_URL: stack.modelServiceUrl } : {}),
      },
      log,
    });
  }

  if (!isLoopbackHost(host) && !config.apiToken)
    log.warn(
      { host },
      'INSECURE: listening on a non-loopback address without CHORDFLOW_API_TOKEN (--insecure): anyone who can reach it can run, cancel and read every workflow',
    );
  let close: () => Promise<void>;
  let url: string;
  if (withWeb) {
    const { startWebServer } = await import('../../webServer');
    const web = await startWebServer({ port, host, dev, api: stack.api, ...(build ? { build } : {}) });
    web.pagesReady.then(
      () => build && io.out(`Chordflow web app built: ${web.url}\n`),
      (err: unknown) =>
        log.error({ err: String(err) }, 'the web app could not be built; the API and workers keep running'),
    );
    let live: Promise<{ close(): Promise<void> }> | undefined;
    let source: { stop(): Promise<void> } | undefined;
    if (stack.redis && stack.redisUrl) {
      const { RedisEventSource } = await import('../../socket/redisEventSource');
      const { attachLiveServer } = await import('../../socket/liveServer');
      const s = new RedisEventSource(stack.redis, stack.redisUrl, config.keyPrefix);
      source = s;
      // Not awaited: with Redis not there yet the feed subscribes when it comes (sockets connect now).
      live = attachLiveServer(web.server, {
        log: s,
        notifier: s,
        apiToken: config.apiToken,
        security: config.security,
        onError: (err) => log.debug({ err: String(err) }, 'live server error'),
      });
      live.catch((err: unknown) => log.error({ err: String(err) }, 'live server could not start'));
    }
    url = web.url;
    close = async () => {
      const l = live ? await within(live, 200, undefined) : undefined;
      await within(Promise.all([l?.close(), source?.stop()]), 500, undefined);
      web.server.closeAllConnections();
      await within(web.close(), 500, undefined);
    };
  } else {
    const { startApiServer } = await import('../../http/apiServer');
    const api = await startApiServer(stack.api, { port, host });
    url = api.url;
    close = () => within(api.close(), 500, undefined);
  }

  // Retention: prune finished runs now and every 10 minutes.
  let prune: ReturnType<typeof setInterval> | undefined;
  if (stack.client) {
    const store = stack.client.store;
    const monitor = stack.monitor;
    const doPrune = () => {
      if (monitor && !monitor.up) return;
      void store
        .prune({ maxAgeDays: config.retentionDays, maxCount: config.retentionCount, now: Date.now() })
        .then((ids) => ids.length > 0 && log.info({ deleted: ids.length }, 'retention: pruned runs'))
        .catch((err) => log.warn({ err: String(err) }, 'retention failed'));
    };
    void stack.monitor?.whenUp().then(doPrune);
    prune = setInterval(doPrune, 600_000);
    prune.unref();
  }

  const redisLine = stack.redisUrl
    ? stack.monitor && !stack.monitor.up
      ? `${stack.redisUrl} (not answering yet; runs start when it is)`
      : stack.redisUrl
    : `not available — ${stack.redisUnavailable}`;
  io.out(
    `Chordflow is up: ${url}${build ? ' (the web app is building: the page shows its progress; the API works now)' : ''}\n` +
      `  redis: ${redisLine}\n` +
      `  workers: ${workerCount} ${inline ? 'in-process' : 'worker processes'} × concurrency ${config.workerConcurrency}\n` +
      `  model service: ${stack.modelServiceUrl ?? 'none'}\n`,
  );
  await stop;
  build?.cancel();
  if (prune) clearInterval(prune);
  // Web and workers stop together: workers drain for CHORDFLOW_SHUTDOWN_MS, the rest is bounded too;
  // the signal handler exits the process if anything still hangs after that.
  const [, killed] = await Promise.all([
    close(),
    children?.stop(config.shutdownTimeoutMs),
    stack.close(config.shutdownTimeoutMs),
  ]);
  // The operator's last line says how it ended: everything finished, or what was cut at the deadline.
  if (killed)
    log.warn(
      { killed_worker_processes: killed },
      `stopped: ${killed} worker process${killed > 1 ? 'es' : ''} still had tasks running at the shutdown deadline; they will be redelivered`,
    );
  else log.info(children ? 'stopped: every worker process finished its tasks' : 'stopped');
  return 0;
}
