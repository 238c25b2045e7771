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
  if (withWeb && !dev) {
    const { existsSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const buildId = fileURLToPath(new URL('../../../.next/BUILD_ID', import.meta.url));
    if (!existsSync(buildId)) {
      io.err('chordflow serve: no production build found — building the web app once (next build)…\n');
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync('npx', ['next', 'build'], {
        stdio: 'inherit',
        cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      });
      if (r.status !== 0) return 1;
    }
  }
  const { createLogger } = await import('../../log');
  const log = createLogger('chordflow', config.logLevel);
  const { startStack } = await import('../../cluster/stack');
  const stack = await startStack({ config, log, workers: workerCount });
  if (stack.modelServiceUrl && !process.env.MODEL_SERVICE_URL)
    process.env.MODEL_SERVICE_URL = stack.modelServiceUrl;

  if (!isLoopbackHost(host) && !config.apiToken)
    log.warn(
      { host },
      'INSECURE: listening on a non-loopback address without CHORDFLOW_API_TOKEN (--insecure): anyone who can reach it can run, cancel and read every workflow',
    );
  let close: () => Promise<void>;
  let url: string;
  if (withWeb) {
    const { startWebServer } = await import('../../webServer');
    const web = await startWebServer({ port, host, dev, api: stack.api });
    let live: { close(): Promise<void> } | undefined;
    let source: { stop(): Promise<void> } | undefined;
    if (stack.redis && stack.redisUrl) {
      const { RedisEventSource } = await import('../../socket/redisEventSource');
      const { attachLiveServer } = await import('../../socket/liveServer');
      const s = new RedisEventSource(stack.redis, stack.redisUrl, config.keyPrefix);
      source = s;
      live = await attachLiveServer(web.server, {
        log: s,
        notifier: s,
        apiToken: config.apiToken,
        security: config.security,
        onError: (err) => log.warn({ err: String(err) }, 'live server error'),
      });
    }
    url = web.url;
    close = async () => {
      await live?.close();
      await source?.stop();
      await web.close();
    };
  } else {
    const { startApiServer } = await import('../../http/apiServer');
    const api = await startApiServer(stack.api, { port, host });
    url = api.url;
    close = () => api.close();
  }

  // Retention: prune finished runs now and every 10 minutes.
  let prune: ReturnType<typeof setInterval> | undefined;
  if (stack.client) {
    const store = stack.client.store;
    const doPrune = () =>
      void store
        .prune({ maxAgeDays: config.retentionDays, maxCount: config.retentionCount, now: Date.now() })
        .then((ids) => ids.length > 0 && log.info({ deleted: ids.length }, 'retention: pruned runs'))
        .catch((err) => log.warn({ err: String(err) }, 'retention failed'));
    doPrune();
    prune = setInterval(doPrune, 600_000);
    prune.unref();
  }

  io.out(
    `Chordflow is up: ${url}\n` +
      `  redis: ${stack.redisUrl ?? `not available — ${stack.redisUnavailable}`}\n` +
      `  workers: ${stack.workers.length} × concurrency ${config.workerConcurrency}\n` +
      `  model service: ${stack.modelServiceUrl ?? 'none'}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  log.info('shutting down');
  if (prune) clearInterval(prune);
  await close();
  await stack.close();
  return 0;
}
