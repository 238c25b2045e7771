/**
 * The live half of bench:editor (issue 13): a 10,000-task chord submitted to the cluster, watched on
 * its run page (Socket.IO events batched per frame into the stacked graph, the task table and the
 * timelines) and in the editor's live view; rAF frame intervals and long tasks from submit to finish.
 */
import type { Browser } from 'playwright-core';
import { type Frames, recordFrames } from './editorScale';

/** Canvas JSON of a chord over n `add` members. */
export function chordJson(n: number): Record<string, unknown> {
  return {
    chord: {
      header: Array.from({ length: n }, (_, i) => ({ task: 'add', args: [i, 1] })),
      body: { task: 'tsum' },
    },
  };
}

/** Submits the canvas and follows the run on its page until it finishes. */
export async function watchRunPage(
  browser: Browser,
  base: string,
  canvas: Record<string, unknown>,
): Promise<Frames & { run_ms: number; events: number }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  try {
    const r = await fetch(`${base}/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ canvas }),
    });
    const { id } = (await r.json()) as { id: string };
    const t0 = Date.now();
    await page.goto(`${base}/runs/${id}`);
    await page.waitForSelector('[data-testid="run-stack"]', { state: 'attached', timeout: 60_000 });
    const frames = await recordFrames(page, async () => {
      await page.waitForSelector('[data-testid="run-detail"][data-finished="true"]', { timeout: 600_000 });
    });
    const events = Number(
      (await page.evaluate(
        `(document.querySelector('[role="tab"]:last-child')?.textContent ?? '').replace(/\\D/g, '')`,
      )) as string,
    );
    return { ...frames, run_ms: Date.now() - t0, events };
  } finally {
    await page.close();
  }
}
