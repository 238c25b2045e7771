/**
 * The README's screenshots (docs/screenshots/*.png), taken in real Chromium from a running Chordflow
 * (`npx chordflow serve`, with Redis and workers): `BASE_URL=http://127.0.0.1:3000 npx tsx
 * scripts/readme-screenshots.ts`. Look at the PNGs before committing them.
 */
import { chromium } from '@playwright/test';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const out = 'docs/screenshots';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.addInitScript(() => window.localStorage.setItem('chordflow.theme', 'light'));

// Editor: the tutorial pipeline, its input set once, TASK_B in the inspector.
await page.goto(`${base}/`);
await page.getByTestId('tab-documents').click();
await page.getByTestId('template-tutorial').click();
await page.getByTestId('input-button').click();
await page.getByTestId('input-payload').fill('{"raw": "hello world", "scenario": "partial_fail"}');
await page.getByTestId('input-apply').click();
await page.getByTestId('notice-dismiss').click();
await page
  .locator('.react-flow__node')
  .filter({ has: page.locator('[data-task="TASK_B"]') })
  .click();
await page.getByTestId('tab-inspector').click();
await page.waitForTimeout(400);
await page.screenshot({ path: `${out}/editor.png` });

// Simulation: partial_fail, the timeline with TASK_B's drawer.
await page.getByTestId('sim-scenario').selectOption('partial_fail');
await page.getByTestId('sim-run').click();
await page.getByTestId('sim-summary').waitFor();
await page.getByTestId('sim-end').click();
await page.getByTestId('sim-tab-timeline').click();
await page.locator('[data-testid="attempt-bar"][data-outcome="failure"]').first().click();
await page.waitForTimeout(400);
await page.screenshot({ path: `${out}/simulation.png` });

// A real run on the cluster: its page, with the task drawer beside the graph.
const res = await page.request.post(`${base}/api/workflows`, {
  data: { project: 'demo', name: 'PIPELINE', payload: { raw: 'hello world', scenario: 'partial_fail' } },
});
const { id } = (await res.json()) as { id: string };
await page.goto(`${base}/runs/${id}`);
await page.locator('[data-testid="run-detail"][data-finished="true"]').waitFor({ timeout: 60_000 });
await page.locator('[data-testid="run-task-row"]').filter({ hasText: 'TASK_B' }).click();
await page.waitForTimeout(600);
await page.screenshot({ path: `${out}/live.png` });
await browser.close();
