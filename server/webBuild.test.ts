import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasWebBuild, startWebBuild, type WebBuild } from './webBuild';
import { startWebServer } from './webServer';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project folder whose `next build` is a small script: prints steps, then builds or fails. */
function projectWithFakeNext(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'chordflow-webbuild-'));
  dirs.push(dir);
  const bin = join(dir, 'node_modules', 'next', 'dist', 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'next'), script);
  return dir;
}

describe('first-start web build', () => {
  it('runs next build in the background, reports its latest step, and resolves once BUILD_ID exists', async () => {
    const dir = projectWithFakeNext(`
      const fs = require('node:fs');
      console.log('\\u001b[1mCreating an optimized production build ...\\u001b[0m');
      setTimeout(() => {
        console.log('Generating static pages (3/5)');
        fs.mkdirSync('.next', { recursive: true });
        fs.writeFileSync('.next/BUILD_ID', 'x');
      }, 50);
    `);
    expect(hasWebBuild(dir)).toBe(false);
    let echoed = '';
    const build = startWebBuild(dir, (c) => {
      echoed += c;
    });
    await build.done;
    expect(hasWebBuild(dir)).toBe(true);
    expect(echoed).toContain('Generating static pages (3/5)');
    expect(build.status()).toMatch(/^built · \d+ s$/);
  });

  it('rejects with the last lines of the output when the build fails', async () => {
    const dir = projectWithFakeNext(`
      console.log('Linting and checking validity of types ...');
      console.error('Type error: Property "x" does not exist');
      process.exit(1);
    `);
    const build = startWebBuild(dir, () => {});
    await expect(build.done).rejects.toThrow(
      /exited with code 1:[\s\S]*Type error: Property "x" does not exist/,
    );
    expect(build.status()).toMatch(/^next build failed \(exited with code 1\)/);
  });

  it('serves the API at once and a self-refreshing progress page until the pages are ready', async () => {
    let fail: (e: Error) => void = () => {};
    const build: WebBuild = {
      done: new Promise<void>((_resolve, reject) => {
        fail = reject;
      }),
      status: () => 'Compiling <app> & pages · 12 s',
      cancel: () => {},
    };
    build.done.catch(() => {});
    const web = await startWebServer({
      port: 0,
      build,
      api: async (req, res) => {
        if (req.url !== '/api/ping') return false;
        res.end('{"message":"pong"}');
        return true;
      },
    });
    web.pagesReady.catch(() => {});
    const base = `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/api/ping`)).text()).toBe('{"message":"pong"}');
      const page = await fetch(`${base}/runs/abc`);
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBe('2');
      const html = await page.text();
      expect(html).toContain('http-equiv="refresh"');
      // The build's words are text on the page, never markup.
      expect(html).toContain('Compiling &#60;app&#62; &#38; pages · 12 s');

      fail(new Error('next build exited with code 1:\nType error <here>'));
      await expect(web.pagesReady).rejects.toThrow();
      const failed = await fetch(`${base}/`);
      expect(failed.status).toBe(500);
      const text = await failed.text();
      expect(text).toContain('could not be built');
      expect(text).toContain('Type error &#60;here&#62;');
      expect(text).not.toContain('http-equiv="refresh"');
      // The API keeps working when the pages cannot be built.
      expect((await fetch(`${base}/api/ping`)).status).toBe(200);
    } finally {
      await web.close();
    }
  });
});
