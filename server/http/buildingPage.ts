/**
 * What the web port answers while the first production build of the web app runs (server/webBuild.ts):
 * a small page that refreshes itself and says how far the build is, with a 503 and Retry-After so
 * scripts and health checks see "not yet" rather than an error page.
 */
import type { ServerResponse } from 'node:http';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Writes the building page (or, when `failed`, the reason the build failed) to `res`. */
export function sendBuildingPage(res: ServerResponse, status: string, failed: string | undefined): void {
  const title = failed ? 'The web app could not be built' : 'Building the web app…';
  const body = failed
    ? `<p>The API and the workers are running, but <code>next build</code> failed. Fix the error and restart <code>chordflow serve</code>.</p><pre>${escapeHtml(failed)}</pre>`
    : `<p>This is the first start of this copy of Chordflow: the web app is built once (about a minute). The API and the workers are already up. This page reloads by itself.</p><p class="step" data-testid="build-status">${escapeHtml(status)}</p>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chordflow · ${title}</title>${
    failed ? '' : '<meta http-equiv="refresh" content="2">'
  }<style>body{font:15px/1.5 system-ui,sans-serif;max-width:42rem;margin:4rem auto;padding:0 1rem;color:#1d2330}h1{font-size:1.3rem}.step{font-family:ui-monospace,monospace;background:#f2f4f8;padding:.5rem .75rem;border-radius:6px}pre{white-space:pre-wrap;background:#fff4f2;padding:.75rem;border-radius:6px}</style></head><body><h1>${title}</h1>${body}</body></html>`;
  res.writeHead(failed ? 500 : 503, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    ...(failed ? {} : { 'retry-after': '2' }),
  });
  res.end(html);
}
