/**
 * The web process: one HTTP server on one port serving Next.js pages, the REST API under /api and
 * (later) Socket.IO. The API is plain Node (server/http), not Next route handlers, so it shares module
 * instances with the Redis connections and the Socket.IO server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import next from 'next';
import { projectRoot } from './projectRoot';

export interface WebServerOptions {
  port: number;
  host?: string;
  dev?: boolean;
  /** Handles /api/* requests; returns false when it does not know the route. */
  api?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface RunningWebServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const app = next({
    dev: options.dev ?? false,
    dir: projectRoot(),
    hostname: options.host ?? '127.0.0.1',
    port: options.port,
  });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer(async (req, res) => {
    try {
      if (req.url?.startsWith('/api/') || req.url === '/api' || req.url === '/metrics') {
        if (options.api && (await options.api(req, res))) return;
        if (req.url.startsWith('/api/health')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ok' }));
          return;
        }
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `Unknown API route ${req.method} ${req.url}` }));
        return;
      }
      await handle(req, res);
    } catch (err) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: err instanceof Error ? err.message : 'internal error' }));
    }
  });
  const upgrade = app.getUpgradeHandler();
  server.on('upgrade', (req, socket, head) => {
    // Socket.IO registers its own upgrade handling on /socket.io/; everything else is Next's (HMR in dev).
    if (req.url?.startsWith('/socket.io/')) return;
    void upgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  return {
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${options.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
