/** A plain HTTP server with only the API (no Next): tests, benchmarks, and head-less deployments. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sendJson } from './respond';

export interface RunningApiServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startApiServer(
  api: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>,
  options: { port?: number; host?: string } = {},
): Promise<RunningApiServer> {
  const server = createServer(async (req, res) => {
    try {
      if (await api(req, res)) return;
      sendJson(res, 404, { error: `Unknown API route ${req.method} ${req.url}.` });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 503, { error: err instanceof Error ? err.message : String(err) });
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
