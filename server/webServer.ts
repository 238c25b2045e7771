/**
 * The web process: one HTTP server on one port serving Next.js pages, the REST API under /api and
 * (later) Socket.IO. The API is plain Node (server/http), not Next route handlers, so it shares module
 * instances with the Redis connections and the Socket.IO server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import next from 'next';
import { sendBuildingPage } from './http/buildingPage';
import { projectRoot } from './projectRoot';
import type { WebBuild } from './webBuild';

export interface WebServerOptions {
  port: number;
  host?: string;
  dev?: boolean;
  /** Handles /api/* requests; returns false when it does not know the route. */
  api?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** The first production build, still running: pages show its progress until it is done. */
  build?: WebBuild;
}

export interface RunningWebServer {
  server: Server;
  url: string;
  /** Resolves when pages are served by Next (at once unless a build runs); rejects if the build fails. */
  pagesReady: Promise<void>;
  close(): Promise<void>;
}

type NextApp = ReturnType<typeof next>;
interface Pages {
  handle: ReturnType<NextApp['getRequestHandler']>;
  upgrade: ReturnType<NextApp['getUpgradeHandler']>;
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const prepare = async (): Promise<Pages> => {
    const app = next({
      dev: options.dev ?? false,
      dir: projectRoot(),
      hostname: options.host ?? '127.0.0.1',
      port: options.port,
    });
    await app.prepare();
    return { handle: app.getRequestHandler(), upgrade: app.getUpgradeHandler() };
  };
  let pages: Pages | undefined;
  let buildError: string | undefined;
  const pagesReady = (options.build ? options.build.done.then(prepare) : prepare()).then(
    (p) => {
      pages = p;
    },
    (err: unknown) => {
      buildError = err instanceof Error ? err.message : String(err);
      throw err;
    },
  );
  pagesReady.catch(() => {});
  // Without a build to wait for, Next is ready before the port opens (as before).
  if (!options.build) await pagesReady;
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
      if (!pages) {
        sendBuildingPage(res, options.build?.status() ?? 'starting', buildError);
        return;
      }
      await pages.handle(req, res);
    } catch (err) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: err instanceof Error ? err.message : 'internal error' }));
    }
  });
  server.on('upgrade', (req, socket, head) => {
    // Socket.IO registers its own upgrade handling on /socket.io/; everything else is Next's (HMR in dev).
    if (req.url?.startsWith('/socket.io/')) return;
    if (!pages) {
      socket.destroy();
      return;
    }
    void pages.upgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  return {
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${options.port}`,
    pagesReady,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
