/**
 * A real Chromium page on another origin tries to drive the API and a socket (issue #10): a text/plain
 * POST (no preflight), a no-cors POST, a JSON POST (preflighted), a read, and a Socket.IO websocket.
 * None may create a run or open a socket; the same calls from the server's own origin work, so the
 * test would notice if the refusals came from somewhere else.
 */
import { expect, test } from '@playwright/test';

const EVIL = 'http://localhost:1';
const CANVAS = JSON.stringify({ canvas: { task: 'identity', args: [1] } });

async function runCount(baseURL: string, request: import('@playwright/test').APIRequestContext) {
  const r = await request.get(`${baseURL}/api/workflows?per_page=1000`);
  expect(r.status()).toBe(200);
  return ((await r.json()) as unknown[]).length;
}

/** Runs the attack from whatever page is open; reports what the page could do. */
async function attack(page: import('@playwright/test').Page, api: string) {
  return page.evaluate(
    async ({ api, body }) => {
      const out: Record<string, string> = {};
      const attempt = async (name: string, init: RequestInit, path = '/api/workflows') => {
        try {
          const r = await fetch(`${api}${path}`, init);
          out[name] = r.type === 'opaque' ? 'opaque' : `status ${r.status}`;
        } catch {
          out[name] = 'blocked';
        }
      };
      await attempt('textPlain', { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
      await attempt('noCors', { method: 'POST', mode: 'no-cors', body });
      await attempt('json', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await attempt('read', { method: 'GET' });
      out.socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${api.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
        ws.onopen = () => {
          ws.close();
          resolve('open');
        };
        ws.onerror = () => resolve('refused');
      });
      return out;
    },
    { api, body: CANVAS },
  );
}

test('a page on another origin cannot create runs, read them or open a socket', async ({
  page,
  baseURL,
  request,
}) => {
  const api = baseURL as string;
  const before = await runCount(api, request);
  await page.route(`${EVIL}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>evil</title><p>evil</p>' }),
  );
  await page.goto(`${EVIL}/`);
  const foreign = await attack(page, api);
  expect(foreign).toEqual({
    textPlain: 'blocked', // answered 403 without CORS headers: the page learns nothing
    // Sent and refused by the server (403); Chromium's opaque-response blocking may also fail it.
    noCors: expect.stringMatching(/^(opaque|blocked)$/),
    json: 'blocked', // the preflight is refused
    read: 'blocked',
    socket: 'refused',
  });
  expect(await runCount(api, request)).toBe(before);

  // The same page code from the server's own origin works: the refusals above are the server's.
  await page.goto(`${api}/api/ping`);
  const own = await attack(page, api);
  expect(own).toMatchObject({
    textPlain: 'status 415',
    json: 'status 201',
    read: 'status 200',
    socket: 'open',
  });
  expect(await runCount(api, request)).toBeGreaterThan(before);
});
