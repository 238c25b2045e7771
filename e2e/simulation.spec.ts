/**
 * The simulator in the editor (issue 5): each tutorial scenario simulated in the browser (Web Worker)
 * must end in the same task states and attempt timings as the CLI's run report for the same file and
 * seed; a 1,000-run Monte Carlo reports its time; screenshots of every view in light and dark.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import type { RunReport } from '../lib/protocol/report';

const SEED = 7;
const WORKERS = 1;
const CONCURRENCY = 4;
const SCENARIOS = ['happy', 'flaky', 'slow', 'down', 'partial_fail'] as const;
const SHOTS = 'test-results/screens';

function cliReport(scenario: string): RunReport {
  const out = execFileSync(
    process.execPath,
    [
      'bin/chordflow.js',
      'simulate',
      'examples/tutorial.json',
      '--scenario',
      scenario,
      '--seed',
      String(SEED),
      '--workers',
      String(WORKERS),
      '--concurrency',
      String(CONCURRENCY),
      '--json',
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as RunReport;
}

async function openTutorial(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: /templates/i }).click();
  await page.getByRole('menuitem', { name: /tutorial/i }).click();
  await expect(page.locator('[data-testid="task-node"]')).toHaveCount(4);
}

async function simulate(page: Page, scenario: string): Promise<void> {
  await page.getByTestId('sim-scenario').selectOption(scenario);
  await page.getByTestId('sim-seed').fill(String(SEED));
  await page.getByTestId('sim-workers').fill(String(WORKERS));
  await page.getByTestId('sim-concurrency').fill(String(CONCURRENCY));
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-summary')).toHaveAttribute('data-status', /success|failure/);
  await page.getByTestId('sim-end').click();
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate((t) => {
    document.documentElement.dataset.theme = t;
  }, theme);
}

test.describe('simulation in the editor', () => {
  for (const scenario of SCENARIOS) {
    test(`scenario ${scenario}: canvas states and attempt bars match the CLI report`, async ({ page }) => {
      const report = cliReport(scenario);
      await openTutorial(page);
      await simulate(page, scenario);
      await expect(page.getByTestId('sim-summary')).toHaveAttribute('data-status', report.status);
      await expect(page.getByTestId('sim-summary')).toHaveAttribute(
        'data-makespan',
        String(report.makespan_ms),
      );
      for (const task of report.tasks) {
        const node = page.locator(`[data-testid="task-node"][data-task="${task.name}"]`);
        if (task.state === 'PENDING') await expect(node).toHaveAttribute('data-state', /PENDING/);
        else await expect(node).toHaveAttribute('data-state', task.state);
        const badge = page.locator(`[data-testid="node-run-state"][data-task-id="${task.id}"]`);
        await expect(badge).toHaveAttribute('data-celery-state', task.state);
        const bars = page.locator(`[data-testid="attempt-bar"][data-task-id="${task.id}"]`);
        await expect(bars).toHaveCount(task.history.length);
        const starts = await bars.evaluateAll((els) =>
          els.map((el) => Number(el.getAttribute('data-start'))),
        );
        expect(starts.sort((a, b) => a - b)).toEqual(task.history.map((h) => h.started_at));
        const outcomes = await bars.evaluateAll((els) => els.map((el) => el.getAttribute('data-outcome')));
        expect(outcomes).toEqual(task.history.map((h) => h.outcome));
      }
    });
  }

  test('time travel: dragging to an instant shows the state then (flaky: A waiting to retry)', async ({
    page,
  }) => {
    const report = cliReport('flaky');
    const a = report.tasks.find((t) => t.name === 'TASK_A');
    const first = a?.history[0];
    expect(first?.outcome).toBe('retry');
    await openTutorial(page);
    await simulate(page, 'flaky');
    // Half way through the first countdown.
    const t = (first?.finished_at ?? 0) + (first?.countdown_ms ?? 0) / 2;
    await page.getByTestId('sim-scrubber').evaluate((el, value) => {
      const input = el as HTMLInputElement;
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
      setter?.call(input, String(value));
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, t);
    const badge = page.locator(`[data-testid="node-run-state"][data-task-id="${a?.id}"]`);
    await expect(badge).toHaveAttribute('data-run-status', 'retry_wait');
    await expect(badge).toContainText('retry 2 in');
    await expect(page.locator('[data-testid="task-node"][data-task="TASK_B"]')).toHaveAttribute(
      'data-state',
      'PENDING',
    );
  });

  test('Monte Carlo of 1,000 runs, what-if comparison and screenshots of every view', async ({ page }) => {
    mkdirSync(SHOTS, { recursive: true });
    await openTutorial(page);
    await simulate(page, 'flaky');
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await page.getByTestId('sim-tab-timeline').click();
      await page.locator('[data-testid="attempt-bar"]').first().click();
      await expect(page.getByTestId('task-drawer')).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/sim-timeline-${theme}.png` });
      await page.getByTestId('sim-tab-events').click();
      await page.screenshot({ path: `${SHOTS}/sim-events-${theme}.png` });
    }
    await setTheme(page, 'light');
    await page.getByTestId('sim-tab-whatif').click();
    await page.getByRole('button', { name: 'Current only' }).click();
    const status = page.getByTestId('mc-status');
    await expect(status).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
    await expect(page.getByTestId('mc-histogram')).toHaveAttribute('data-runs', '1000');
    const elapsed = Number(await status.getAttribute('data-elapsed-ms'));
    console.log(
      JSON.stringify({ bench: 'sim.monte_carlo_1000_tutorial_in_browser', ms: Math.round(elapsed) }),
    );

    await page.getByTestId('sim-scenario').selectOption('down');
    await page.getByLabel('max_retries').fill('6');
    await page.getByRole('button', { name: 'Compare' }).click();
    await expect(status).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
    await expect(page.getByTestId('mc-variant')).toHaveCount(2);
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await page.screenshot({ path: `${SHOTS}/sim-whatif-${theme}.png` });
    }
  });
});
