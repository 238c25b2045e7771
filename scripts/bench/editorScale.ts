/**
 * The big-canvas half of bench:editor (issue 13): frame recording around any interaction, pan / zoom /
 * drag gestures, simulate + replay of a 10,000-task canvas, and the import path. In-page code is passed
 * as strings: tsx's name helpers (`__name`) do not exist in the page.
 */
import type { Page } from 'playwright-core';

export interface Frames {
  /** rAF intervals (ms) while the gesture ran. */
  frames: number[];
  /** Longest main-thread task (ms) seen meanwhile (PerformanceObserver `longtask`). */
  longest: number;
}

/** Records rAF intervals and long tasks while `action` runs. */
export async function recordFrames(page: Page, action: () => Promise<void>): Promise<Frames> {
  await page.evaluate(`(() => {
    window.__sf = [];
    window.__srec = true;
    window.__slong = 0;
    window.__sobs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__slong = Math.max(window.__slong, e.duration);
    });
    window.__sobs.observe({ type: 'longtask' });
    const loop = (t) => {
      window.__sf.push(t);
      if (window.__srec) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  })()`);
  await action();
  return page.evaluate(`(() => {
    window.__srec = false;
    window.__sobs.disconnect();
    return { frames: window.__sf.slice(1).map((t, i) => t - window.__sf[i]), longest: window.__slong };
  })()`) as Promise<Frames>;
}

/** A point of the pane with no node under it (where a drag pans instead of moving a node). */
async function emptyPanePoint(page: Page): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(`(() => {
    const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
    for (let y = pane.bottom - 40; y > pane.top + 40; y -= 23)
      for (let x = pane.right - 60; x > pane.left + 40; x -= 37) {
        const el = document.elementFromPoint(x, y);
        if (el && el.classList.contains('react-flow__pane')) return { x, y };
      }
    return null;
  })()`);
  if (p === null) throw new Error('no empty pane point to pan from');
  return p as { x: number; y: number };
}

/** Pans the view: 60 mouse steps on an empty part of the pane. */
export async function pan(page: Page): Promise<Frames> {
  const { x, y } = await emptyPanePoint(page);
  return recordFrames(page, async () => {
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(x - i * 5, y - i * 3);
    await page.mouse.up();
  });
}

/** Zooms out and back in with 40 wheel steps over the pane. */
export async function zoom(page: Page): Promise<Frames> {
  const { x, y } = await emptyPanePoint(page);
  await page.mouse.move(x, y);
  return recordFrames(page, async () => {
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, i < 20 ? 60 : -60);
      await page.waitForTimeout(16);
    }
  });
}

/** Drags the first node matching `selector` 60 mouse steps. */
export async function dragNode(page: Page, selector: string): Promise<Frames> {
  const box = await page.locator(selector).first().boundingBox();
  if (box === null) throw new Error(`no node for ${selector}`);
  const x = box.x + Math.min(40, box.width / 2);
  const y = box.y + Math.min(12, box.height / 2);
  return recordFrames(page, async () => {
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(x + i * 4, y + i * 3);
    await page.mouse.up();
  });
}

/**
 * Simulates the open canvas (4 workers × 16 slots) and replays it from the start at the default
 * speed for `replayMs`: frames and long tasks while the worker simulates, then while the canvas replays.
 */
export async function simulateAndReplay(
  page: Page,
  replayMs = 3000,
): Promise<{ simulate: Frames; replay: Frames; simulate_ms: number }> {
  await page.fill('[data-testid="sim-workers"]', '4');
  await page.fill('[data-testid="sim-concurrency"]', '16');
  let simulate_ms = 0;
  const simulate = await recordFrames(page, async () => {
    const t0 = Date.now();
    await page.click('[data-testid="sim-run"]');
    await page.waitForSelector('[data-testid="sim-summary"][data-status]', { timeout: 120_000 });
    simulate_ms = Date.now() - t0;
    // Parts of the answer are drawn in later tasks (Gantt, canvas overlay): they count too.
    await page.waitForSelector('[data-testid="attempt-bar"], [data-testid="attempt-strip"]', {
      timeout: 120_000,
    });
    await page.waitForTimeout(1000);
  });
  await page.getByRole('button', { name: 'Jump to start' }).click();
  const replay = await recordFrames(page, async () => {
    await page.click('[data-testid="sim-play"]');
    await page.waitForTimeout(replayMs);
    await page.click('[data-testid="sim-play"]');
  });
  return { simulate, replay, simulate_ms };
}

/** A group of n `add` tasks as Canvas JSON (the walkthrough's "1,000-task group"). */
export function groupJson(n: number): string {
  return JSON.stringify({ group: Array.from({ length: n }, (_, i) => ({ task: 'add', args: [i, 1] })) });
}

/** Imports Canvas JSON through the Files panel; ms from the click until the canvas shows the stack. */
export async function importThroughPanel(page: Page, text: string): Promise<number> {
  await page.click('[data-testid="tab-documents"]');
  await page.fill('[data-testid="import-text"]', text);
  const t0 = (await page.evaluate('performance.now()')) as number;
  await page.click('[data-testid="import-apply"]');
  await page.waitForSelector('[data-testid="stack-node"]', { timeout: 120_000 });
  const t1 = (await page.evaluate(
    'new Promise((r) => requestAnimationFrame(() => r(performance.now())))',
  )) as number;
  return t1 - t0;
}

/** ms from navigation until the stacked canvas is drawn (the stack node visible) plus a frame. */
export async function loadStacked(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(
    `(() => {
      const s = document.querySelector('[data-testid="stack-node"]');
      return s !== null && getComputedStyle(s.closest('.react-flow__node')).visibility === 'visible';
    })()`,
    undefined,
    { polling: 'raf', timeout: 120_000 },
  );
  return page.evaluate(
    'new Promise((r) => requestAnimationFrame(() => r(performance.now())))',
  ) as Promise<number>;
}
