/**
 * Editor bench (SPEC 4, issue 13): in one headless Chromium run, load a bare React Flow page with N
 * default nodes and the editor with N tasks drawn one by one (N = 1,000 and 2,000, `stacks=off`), then
 * drag a node with the mouse and time the frames. Then the big canvases (stacks.ts): a 10,000-task
 * chord opens, pans, zooms and drags (against the bare page at 1,000), simulates and replays (longest
 * main-thread task and frame intervals), and 1,000 / 10,000-task groups import through the Files panel.
 * Prints one JSON line per measurement and a summary line with the ratios against the bare page:
 *   editor load (1,000) <= 1.5 x bare,   drag frame (2,000) <= 1.2 x bare,
 *   10,000-task load <= 1.5 x bare load (1,000),   pan/zoom/drag frame (10,000) <= 1.2 x bare (1,000).
 *
 * Starts its own production server on port 3210 (`npx next build` first if there is no build).
 * Usage: npm run bench:editor [-- --runs 3]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { chordJson, watchRunPage } from './editorLive';
import {
  dragNode,
  type Frames,
  groupJson,
  importThroughPanel,
  loadStacked,
  pan,
  simulateAndReplay,
  zoom,
} from './editorScale';

const root = fileURLToPath(new URL('../..', import.meta.url));
const port = Number(process.env.BENCH_EDITOR_PORT ?? 3210);
const base = `http://127.0.0.1:${port}`;
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
/** `--only simulate`: just the 10,000-task simulate + replay figures (a quick check of that bar). */
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'editor', ...line })}\n`);
}

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as AddressInfo;
      srv.close(() => resolve(p));
    });
  });
}

/**
 * A private redis-server on a free port (never the machine's Redis), for the live measurement; null
 * when redis-server is not installed (the live figures are then skipped).
 */
async function startRedis(): Promise<{ url: string; stop(): void } | null> {
  const p = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chordflow-bench-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    setTimeout(() => resolve(child.exitCode === null), 400);
  });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  if (!started) {
    stop();
    return null;
  }
  return { url: `redis://127.0.0.1:${p}`, stop };
}

async function startServer(redisUrl: string | null): Promise<ChildProcess> {
  if (!existsSync(`${root}/.next/BUILD_ID`)) {
    process.stderr.write('bench:editor: no production build, running next build once…\n');
  }
  const workers = redisUrl === null ? '0' : '1';
  const child = spawn('node', ['bin/chordflow.js', 'serve', '--port', String(port), '--workers', workers], {
    cwd: root,
    // Without a private Redis, a URL that does not answer: the editor needs none, and the bench must
    // not touch the machine's.
    env: {
      ...process.env,
      REDIS_URL: redisUrl ?? 'redis://127.0.0.1:3298',
      MODEL_SERVICE_URL: 'http://127.0.0.1:3297',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error(`the server on port ${port} did not come up`);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Navigates and returns ms from navigation start until every node is rendered and visible, plus a frame. */
async function load(page: Page, url: string, n: number): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  // In-page code is passed as strings: tsx's name helpers (`__name`) do not exist in the page.
  await page.waitForFunction(
    `(() => {
      const nodes = document.querySelectorAll('.react-flow__node');
      if (nodes.length < ${n}) return false;
      return getComputedStyle(nodes[nodes.length - 1]).visibility === 'visible';
    })()`,
    undefined,
    { polling: 'raf', timeout: 120_000 },
  );
  return page.evaluate(
    'new Promise((r) => requestAnimationFrame(() => r(performance.now())))',
  ) as Promise<number>;
}

/** Drags the first node 60 mouse steps; returns rAF frame intervals and input-to-next-frame latencies. */
async function drag(page: Page, selector: string): Promise<{ frames: number[]; latency: number[] }> {
  const box = await page.locator(selector).first().boundingBox();
  if (box === null) throw new Error(`no node for ${selector}`);
  await page.evaluate(`(() => {
    window.__f = [];
    window.__l = [];
    window.__rec = true;
    const loop = (t) => {
      window.__f.push(t);
      if (window.__rec) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
    window.addEventListener('mousemove', () => {
      const t0 = performance.now();
      requestAnimationFrame(() => window.__l.push(performance.now() - t0));
    }, { capture: true });
  })()`);
  const x = box.x + Math.min(40, box.width / 2);
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) await page.mouse.move(x + i * 4, y + i * 3);
  await page.mouse.up();
  return page.evaluate(`(() => {
    window.__rec = false;
    const frames = window.__f.slice(1).map((t, i) => t - window.__f[i]);
    return { frames, latency: window.__l };
  })()`) as Promise<{ frames: number[]; latency: number[] }>;
}

function frameLine(name: string, f: Frames): Record<string, number | string> {
  return {
    gesture: name,
    frame_ms_mean: +mean(f.frames).toFixed(2),
    frame_ms_p95: +percentile(f.frames, 95).toFixed(2),
    longest_task_ms: Math.round(f.longest),
  };
}

/**
 * The 10,000-task chord (stacks on) against the bare page at 1,000 nodes: load, pan, zoom, drag (median
 * of `runs`), then simulate + replay once, then imports of 1,000 / 10,000-task groups.
 */
async function simulateBig(browser: Browser) {
  const s = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await loadStacked(s, `${base}/bench/editor?n=10000&shape=chord&sim=on`);
  const sim = await simulateAndReplay(s);
  await s.close();
  const simLine = {
    simulate_ms: sim.simulate_ms,
    simulate_frame_ms_p95: +percentile(sim.simulate.frames, 95).toFixed(2),
    simulate_longest_task_ms: Math.round(sim.simulate.longest),
    replay_frame_ms_mean: +mean(sim.replay.frames).toFixed(2),
    replay_frame_ms_p95: +percentile(sim.replay.frames, 95).toFixed(2),
    replay_longest_task_ms: Math.round(sim.replay.longest),
  };
  emit({ page: 'editor-stacked', tasks: 10000, ...simLine });
  return simLine;
}

async function bigCanvas(browser: Browser) {
  const acc = { load: [] as number[], pan: [] as number[], zoom: [] as number[], drag: [] as number[] };
  const bare = { pan: [] as number[], zoom: [] as number[] };
  const open = () => browser.newPage({ viewport: { width: 1440, height: 900 } });
  const chordUrl = `${base}/bench/editor?n=10000&shape=chord`;
  for (let run = 0; run < runs; run++) {
    const b = await open();
    await load(b, `${base}/bench/bare?n=1000`, 1000);
    const bp = await pan(b);
    const bz = await zoom(b);
    await b.close();
    bare.pan.push(mean(bp.frames));
    bare.zoom.push(mean(bz.frames));
    emit({ page: 'bare', nodes: 1000, run, ...frameLine('pan', bp) });
    emit({ page: 'bare', nodes: 1000, run, ...frameLine('zoom', bz) });
    const e = await open();
    const loadMs = await loadStacked(e, chordUrl);
    const ep = await pan(e);
    const ez = await zoom(e);
    const ed = await dragNode(e, '.react-flow__node-stack');
    await e.close();
    acc.load.push(loadMs);
    acc.pan.push(mean(ep.frames));
    acc.zoom.push(mean(ez.frames));
    acc.drag.push(mean(ed.frames));
    emit({ page: 'editor-stacked', tasks: 10000, run, load_ms: Math.round(loadMs) });
    for (const [g, f] of [
      ['pan', ep],
      ['zoom', ez],
      ['drag', ed],
    ] as const)
      emit({ page: 'editor-stacked', tasks: 10000, run, ...frameLine(g, f) });
  }
  const simLine = await simulateBig(browser);
  const imports: number[] = [];
  for (const n of [1000, 10000]) {
    const p = await open();
    await p.goto(`${base}/`);
    await p.waitForSelector('[data-testid="editor"]');
    const ms = await importThroughPanel(p, groupJson(n));
    await p.close();
    imports.push(ms);
    emit({ page: 'editor', import_group_tasks: n, import_ms: Math.round(ms) });
  }
  return {
    load: median(acc.load),
    pan: median(acc.pan),
    zoom: median(acc.zoom),
    drag: median(acc.drag),
    barePan: median(bare.pan),
    bareZoom: median(bare.zoom),
    sim: simLine,
    import1000: imports[0] ?? Number.NaN,
    import10000: imports[1] ?? Number.NaN,
  };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const server = await startServer(redis?.url ?? null);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    if (only === 'simulate') {
      // Warm-up load so the measured one is not a cold server.
      const w = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await loadStacked(w, `${base}/bench/editor?n=100&shape=chord&sim=on`);
      await w.close();
      for (let run = 0; run < runs; run++) await simulateBig(browser);
      return;
    }
    const pages = [
      { name: 'bare', path: '/bench/bare', node: '.react-flow__node' },
      // Stacks off: these bars measure drawing 1,000 / 2,000 task nodes one by one.
      { name: 'editor', path: '/bench/editor', node: '.react-flow__node-task', query: '&stacks=off' },
    ] as const;
    const results = new Map<string, { load: number[]; frame: number[]; latency: number[] }>();
    // Warm-up: compile/cache both pages once so the first measured run is not a cold server.
    for (const p of pages) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await load(page, `${base}${p.path}?n=100${'query' in p ? p.query : ''}`, 100);
      await page.close();
    }
    for (let run = 0; run < runs; run++) {
      for (const n of [1000, 2000]) {
        for (const p of pages) {
          const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
          const loadMs = await load(page, `${base}${p.path}?n=${n}${'query' in p ? p.query : ''}`, n);
          const d = await drag(page, p.node);
          await page.close();
          const key = `${p.name}:${n}`;
          const r = results.get(key) ?? { load: [], frame: [], latency: [] };
          r.load.push(loadMs);
          r.frame.push(mean(d.frames));
          r.latency.push(median(d.latency));
          results.set(key, r);
          emit({
            page: p.name,
            nodes: n,
            run,
            load_ms: Math.round(loadMs),
            frame_ms_mean: +mean(d.frames).toFixed(2),
            frame_ms_p50: +median(d.frames).toFixed(2),
            frame_ms_p95: +percentile(d.frames, 95).toFixed(2),
            input_to_frame_ms_p50: +median(d.latency).toFixed(2),
            input_to_frame_ms_p95: +percentile(d.latency, 95).toFixed(2),
          });
        }
      }
    }
    const big = await bigCanvas(browser);
    // Live: a 10,000-task chord on the cluster, watched on its run page (events batched per frame).
    let live: Record<string, number> | null = null;
    if (redis !== null) {
      const f = await watchRunPage(browser, base, chordJson(10_000));
      live = {
        live_run_ms: f.run_ms,
        live_events: f.events,
        live_frame_ms_mean: +mean(f.frames).toFixed(2),
        live_frame_ms_p50: +median(f.frames).toFixed(2),
        live_frame_ms_p95: +percentile(f.frames, 95).toFixed(2),
        live_longest_task_ms: Math.round(f.longest),
      };
      emit({ page: 'run', tasks: 10000, ...live });
    }
    const m = (k: string, f: 'load' | 'frame' | 'latency') => median(results.get(k)?.[f] ?? []);
    const bareLoad = m('bare:1000', 'load');
    const bareDrag = m('bare:1000', 'frame');
    emit({
      summary: true,
      runs,
      bare_load_ms_1000: Math.round(m('bare:1000', 'load')),
      editor_load_ms_1000: Math.round(m('editor:1000', 'load')),
      load_ratio_1000: +(m('editor:1000', 'load') / m('bare:1000', 'load')).toFixed(3),
      load_ratio_2000: +(m('editor:2000', 'load') / m('bare:2000', 'load')).toFixed(3),
      // Frame cost = mean rAF interval while dragging (includes drag start and drop), median over runs.
      bare_frame_ms_2000: +m('bare:2000', 'frame').toFixed(2),
      editor_frame_ms_2000: +m('editor:2000', 'frame').toFixed(2),
      frame_ratio_2000: +(m('editor:2000', 'frame') / m('bare:2000', 'frame')).toFixed(3),
      input_to_frame_ratio_2000: +(m('editor:2000', 'latency') / m('bare:2000', 'latency')).toFixed(3),
      // 10,000 tasks drawn as stacks, against the bare page at 1,000 nodes (same run).
      stacked_load_ms_10000: Math.round(big.load),
      stacked_load_ratio_10000: +(big.load / bareLoad).toFixed(3),
      bare_pan_ms_1000: +big.barePan.toFixed(2),
      stacked_pan_ratio_10000: +(big.pan / big.barePan).toFixed(3),
      bare_zoom_ms_1000: +big.bareZoom.toFixed(2),
      stacked_zoom_ratio_10000: +(big.zoom / big.bareZoom).toFixed(3),
      bare_drag_ms_1000: +bareDrag.toFixed(2),
      stacked_drag_ratio_10000: +(big.drag / bareDrag).toFixed(3),
      simulate_10000: big.sim,
      import_ms_group_1000: Math.round(big.import1000),
      import_ms_group_10000: Math.round(big.import10000),
      ...(live
        ? {
            live_frame_ms_mean_10000: live.live_frame_ms_mean,
            live_frame_ratio_10000: +((live.live_frame_ms_mean ?? 0) / bareDrag).toFixed(3),
          }
        : { live: 'skipped: redis-server not installed' }),
      bar: {
        load_ratio_1000: 1.5,
        frame_ratio_2000: 1.2,
        stacked_load_ratio_10000: 1.5,
        stacked_pan_ratio_10000: 1.2,
        stacked_zoom_ratio_10000: 1.2,
        stacked_drag_ratio_10000: 1.2,
      },
    });
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    setTimeout(() => {
      server.kill('SIGKILL');
      redis?.stop();
    }, 3000).unref();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:editor failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
