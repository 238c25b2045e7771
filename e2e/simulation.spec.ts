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
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-tutorial').click();
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
  const editor = page.getByTestId('editor');
  if ((await editor.getAttribute('data-theme')) !== theme) await page.getByTestId('theme-toggle').click();
  await expect(editor).toHaveAttribute('data-theme', theme);
}

test.use({ viewport: { width: 1440, height: 900 } });

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
        const attempts = await bars.evaluateAll((els) =>
          els.map((el) => [Number(el.getAttribute('data-attempt')), el.getAttribute('data-outcome')]),
        );
        expect(attempts).toEqual(task.history.map((h) => [h.attempt, h.outcome]));
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
    // A failing run, stopped in the middle of B's retries: countdowns on the canvas, the error in the drawer.
    await simulate(page, 'partial_fail');
    await page.getByTestId('sim-tab-timeline').click();
    await page.getByTestId('sim-scrubber').evaluate((el) => {
      const input = el as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, '4500');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.locator('[data-testid="attempt-bar"][data-outcome="retry"]').first().click();
    await expect(page.getByTestId('drawer-error')).toBeVisible();
    // The chord barrier at 4.5 s: C is done, B is still retrying.
    await expect(page.getByTestId('chord-progress')).toHaveText('1 / 2');
    await expect(page.locator('[data-testid="node-run-state"][data-run-status="retry_wait"]')).toHaveCount(1);
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await page.screenshot({ path: `${SHOTS}/sim-timetravel-${theme}.png` });
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

    // What if C's model call fails half the time, and C retried at most once instead of 3 times?
    await page.getByTestId('sim-scenario').selectOption('custom');
    await page.getByTestId('sim-faults-toggle').click();
    await page
      .getByLabel('Task to inject a fault into')
      .selectOption({ label: 'TASK_C (step 2 › member 2)' });
    await page.getByLabel('Fault kind').selectOption('fail_probability');
    await page.getByLabel('Fault value').fill('0.5');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.getByTestId('fault-tag')).toHaveCount(1);
    await page
      .getByLabel('Tasks the candidate policy applies to')
      .selectOption({ label: 'TASK_C (step 2 › member 2)' });
    await page.getByLabel('max_retries').fill('1');
    await page.getByRole('button', { name: 'Compare' }).click();
    await expect(status).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
    const variants = page.getByTestId('mc-variant');
    await expect(variants).toHaveCount(2);
    const current = Number(await variants.nth(0).getAttribute('data-success-rate'));
    const candidate = Number(await variants.nth(1).getAttribute('data-success-rate'));
    console.log(
      JSON.stringify({
        what_if: 'TASK_C fails 50 %',
        success_max_retries_3: current,
        success_max_retries_1: candidate,
      }),
    );
    expect(candidate).toBeLessThan(current);
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await page.screenshot({ path: `${SHOTS}/sim-whatif-${theme}.png` });
    }
  });

  test('a 2,000-task chord simulates in the worker; the page keeps responding (longest main-thread task logged)', async ({
    page,
  }) => {
    const n = 2000;
    const canvas = {
      chord: {
        header: Array.from({ length: n }, (_, i) => ({ task: 'add', args: [i, 1] })),
        body: { task: 'tsum' },
      },
    };
    await page.goto('/');
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('import-text').fill(JSON.stringify(canvas));
    await page.getByTestId('import-apply').click();
    await expect(page.locator('[data-testid="chord-node"]')).toHaveCount(1, { timeout: 30_000 });
    await page.getByTestId('sim-workers').fill('2');
    await page.getByTestId('sim-concurrency').fill('8');
    // Measured inside the page (Playwright's own DOM polling would show up as long tasks): click
    // Simulate, wait for the run, let it play back for 4 s, report the longest main-thread task.
    const longest = await page.evaluate(async () => {
      let max = 0;
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) max = Math.max(max, entry.duration);
      });
      observer.observe({ type: 'longtask' });
      (document.querySelector('[data-testid="sim-run"]') as HTMLButtonElement).click();
      const started = performance.now();
      while (!document.querySelector('[data-testid="sim-summary"][data-status="success"]')) {
        if (performance.now() - started > 30_000) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 4000));
      observer.disconnect();
      return max;
    });
    await expect(page.getByTestId('sim-summary')).toHaveAttribute('data-status', 'success');
    await page.getByTestId('sim-end').click();
    await expect(page.getByTestId('timeline')).toHaveAttribute('data-bars', String(n + 1));
    await expect(page.getByTestId('chord-progress')).toHaveText(`${n} / ${n}`);
    console.log(
      JSON.stringify({ bench: 'sim.editor_2000_tasks_longest_main_thread_task', ms: Math.round(longest) }),
    );
  });
});
