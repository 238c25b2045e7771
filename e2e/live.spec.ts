/**
 * Live monitoring (issue 7), against the real stack `chordflow serve` starts (Redis from REDIS_URL,
 * BullMQ workers, the mock model service): run the tutorial from the editor with `flaky` and
 * `partial_fail`, watch node states and attempt counts change live to the seed's outcomes, reload the
 * page mid-run and see it resume; then the runs list and the run page (retry-from-failed preview).
 */
import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page, test } from '@playwright/test';

const SHOTS = 'test-results/screens';

async function openTutorial(page: Page): Promise<void> {
  await page.goto('/');
  await page.evaluate(() => sessionStorage.clear());
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-tutorial').click();
  await expect(page.locator('[data-testid="task-node"]')).toHaveCount(4);
}

async function runScenario(page: Page, scenario: string): Promise<string> {
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-dialog')).toBeVisible();
  await page.getByTestId(`run-scenario-${scenario}`).click();
  await expect(page.getByTestId('run-payload')).toHaveValue(new RegExp(`"scenario": "${scenario}"`));
  await page.getByTestId('run-submit').click();
  const banner = page.getByTestId('live-run-banner');
  await expect(banner).toBeVisible();
  const runId = await banner.getAttribute('data-run-id');
  expect(runId).toBeTruthy();
  return runId ?? '';
}

/** The live state of the tutorial task `name` as the banner reports it (same fold as the canvas). */
function liveTask(page: Page, name: string): Locator {
  return page.locator(`[data-testid="live-task"][data-name="${name}"]`);
}

function canvasNode(page: Page, name: string): Locator {
  return page.locator(`[data-testid="task-node"][data-task="${name}"]`);
}

test.describe('live runs', () => {
  test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

  test('flaky: A succeeds on attempt 3, watched live, resumed after a reload', async ({ page }) => {
    test.setTimeout(120_000);
    await openTutorial(page);
    const runId = await runScenario(page, 'flaky');

    // Attempt 1 fails, then the retry countdown (2 s), attempt 2 fails, countdown 4 s …
    await expect(liveTask(page, 'TASK_A')).toHaveAttribute('data-status', 'retry_wait', { timeout: 15_000 });
    await expect(canvasNode(page, 'TASK_A')).toHaveAttribute('data-state', 'RETRY');
    await expect(liveTask(page, 'TASK_A')).toHaveAttribute('data-attempt', '2', { timeout: 15_000 });
    await page.screenshot({ path: `${SHOTS}/live-flaky-midrun.png` });

    // Reload mid-run: the editor resumes following the same run from its event log.
    await page.reload();
    const banner = page.getByTestId('live-run-banner');
    await expect(banner).toHaveAttribute('data-run-id', runId);
    await expect(liveTask(page, 'TASK_A')).toHaveAttribute('data-attempt', /[23]/);

    await expect(banner).toHaveAttribute('data-finished', 'true', { timeout: 30_000 });
    await expect(liveTask(page, 'TASK_A')).toHaveAttribute('data-status', 'success');
    await expect(liveTask(page, 'TASK_A')).toHaveAttribute('data-attempt', '3');
    for (const name of ['TASK_B', 'TASK_C', 'TASK_D']) {
      await expect(liveTask(page, name)).toHaveAttribute('data-status', 'success');
      await expect(liveTask(page, name)).toHaveAttribute('data-attempt', '1');
    }
    await expect(canvasNode(page, 'TASK_A')).toHaveAttribute('data-state', 'SUCCESS');
    await expect(canvasNode(page, 'TASK_D')).toHaveAttribute('data-state', 'SUCCESS');
    await expect(banner.getByTestId('run-status')).toHaveAttribute('data-status', 'success');
    // The simulation dock's Gantt and task drawer, fed by the live events: A's three attempts.
    await expect(page.locator('[data-testid="attempt-bar"][data-task-id="task.tasks.0"]')).toHaveCount(3);
    // The slim live bar folds its task list away: unfold it to pick a task.
    await page.getByTestId('live-expand').click();
    await liveTask(page, 'TASK_A').click();
    await expect(page.getByTestId('task-drawer')).toHaveAttribute('data-task-id', 'task.tasks.0');
    // Beside the simulator's prediction for the same canvas and scenario.
    await page.getByTestId('compare-toggle').click();
    await expect(page.getByTestId('prediction-timeline')).toBeVisible();
    await expect(page.locator('[data-testid="prediction-row"][data-divergent="true"]')).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/live-flaky-done.png` });
  });

  test('partial_fail: B fails after 4 attempts, D never runs; runs list and run page', async ({ page }) => {
    test.setTimeout(120_000);
    await openTutorial(page);
    const runId = await runScenario(page, 'partial_fail');

    await expect(liveTask(page, 'TASK_B')).toHaveAttribute('data-status', 'retry_wait', { timeout: 15_000 });
    await expect(liveTask(page, 'TASK_C')).toHaveAttribute('data-status', 'success', { timeout: 15_000 });
    const banner = page.getByTestId('live-run-banner');
    await expect(banner).toHaveAttribute('data-finished', 'true', { timeout: 40_000 });
    await expect(liveTask(page, 'TASK_A')).toHaveAttribute('data-status', 'success');
    await expect(liveTask(page, 'TASK_A')).toHaveAttribute('data-attempt', '1');
    await expect(liveTask(page, 'TASK_B')).toHaveAttribute('data-status', 'failure');
    await expect(liveTask(page, 'TASK_B')).toHaveAttribute('data-attempt', '4');
    await expect(liveTask(page, 'TASK_C')).toHaveAttribute('data-status', 'success');
    await expect(liveTask(page, 'TASK_C')).toHaveAttribute('data-attempt', '1');
    await expect(liveTask(page, 'TASK_D')).toHaveAttribute('data-attempt', '0');
    await expect(liveTask(page, 'TASK_D')).not.toHaveAttribute('data-status', /success|running/);
    await expect(canvasNode(page, 'TASK_B')).toHaveAttribute('data-state', 'FAILURE');
    await expect(banner.getByTestId('run-status')).toHaveAttribute('data-status', 'failure');
    await page.screenshot({ path: `${SHOTS}/live-partial-fail-done.png` });

    // The runs list shows it with the director status.
    await page.goto('/runs');
    const row = page.locator(`[data-testid="runs-row"][data-run-id="${runId}"]`);
    await expect(row).toHaveAttribute('data-status', 'error');
    await expect(page.getByTestId('runs-live')).toHaveAttribute('data-live', 'live');
    await page.screenshot({ path: `${SHOTS}/runs-list.png`, fullPage: true });

    // The run page: read-only canvas with final states, every task's attempts, retry-from-failed preview.
    await row.getByRole('link').click();
    await expect(page.getByTestId('run-detail')).toHaveAttribute('data-finished', 'true');
    const node = (id: string) => page.locator(`[data-testid="run-node"][data-task-id="${id}"]`);
    await expect(node('task.tasks.1.header.0')).toHaveAttribute('data-status', 'failure');
    await expect(node('task.tasks.1.header.0')).toHaveAttribute('data-attempt', '4');
    await expect(node('task.tasks.0')).toHaveAttribute('data-status', 'success');
    await expect(page.locator('[data-testid="run-task-row"]')).toHaveCount(4);
    await expect(page.getByTestId('prediction-timeline')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/run-page.png`, fullPage: true });
    await page.getByRole('button', { name: 'Retry from failed' }).click();
    const rerun = page.getByTestId('retry-rerun');
    await expect(rerun).toContainText('TASK_B');
    await expect(rerun).toContainText('TASK_D');
    await expect(page.getByTestId('retry-reused')).toContainText('TASK_A');
    await page.screenshot({ path: `${SHOTS}/run-retry-dialog.png` });

    // Start it: a new run where A and C replay their results and only B and D execute.
    await page.getByRole('button', { name: /Start new run \(2 tasks\)/ }).click();
    await expect(page).not.toHaveURL(new RegExp(runId));
    const retried = page.getByTestId('run-detail');
    await expect(retried).toHaveAttribute('data-finished', 'true', { timeout: 40_000 });
    const taskRow = (id: string) => page.locator(`[data-testid="run-task-row"][data-task-id="${id}"]`);
    // Replayed tasks (run as `identity`) read as the tasks they stand for.
    await expect(taskRow('task.tasks.0')).toContainText('TASK_A · replayed');
    await expect(taskRow('task.tasks.0')).toHaveAttribute('data-status', 'success');
    await expect(taskRow('task.tasks.1.header.1')).toContainText('TASK_C · replayed');
    // Same payload (partial_fail): B fails again after its 4 attempts.
    await expect(taskRow('task.tasks.1.header.0')).toHaveAttribute('data-status', 'failure');
    await expect(taskRow('task.tasks.1.header.0').getByTestId('run-task-attempts')).toHaveText('4');
  });

  test('cancel a running run from its page', async ({ page }) => {
    test.setTimeout(90_000);
    await openTutorial(page);
    const runId = await runScenario(page, 'slow');
    await page.goto(`/runs/${runId}`);
    const detail = page.getByTestId('run-detail');
    await expect(detail).toHaveAttribute('data-finished', 'false');
    await expect(page.locator('[data-testid="run-node"][data-task-id="task.tasks.0"]')).toHaveAttribute(
      'data-status',
      /running|retry_wait/,
    );
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(page.getByTestId('cancel-dialog')).toBeVisible();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'canceled', {
      timeout: 20_000,
    });
    await page.screenshot({ path: `${SHOTS}/run-canceled.png`, fullPage: true });
  });
});
