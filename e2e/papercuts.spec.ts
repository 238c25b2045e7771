/**
 * Issue 13's papercuts in the editor, each as a user meets it: Enter adds the first palette match,
 * notices dismiss (close button, and by themselves), an imported file names the document, a stray
 * unconnected node says it turned the canvas into a group, and What-if judges success before speed.
 */
import { expect, test } from '@playwright/test';
import { canvasJson, taskNode } from './support/editor';

test.use({ viewport: { width: 1440, height: 900 } });

test('Enter in the palette search adds the first match', async ({ page }) => {
  await page.goto('/');
  const search = page.getByTestId('palette-search');
  await search.fill('tsu');
  await search.press('Enter');
  await expect(taskNode(page, 'tsum')).toBeVisible();
  expect(await canvasJson(page)).toEqual({ task: 'tsum' });
  // A structure match comes first, as listed.
  await search.fill('chor');
  await search.press('Enter');
  await expect(page.getByTestId('chord-node')).toBeVisible();
});

test('a stray node says the canvas became a group; notices close by button and by themselves', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-tutorial').click();
  await expect(page.locator('[data-testid="task-node"]')).toHaveCount(4);
  const search = page.getByTestId('palette-search');
  await search.fill('record');
  await search.press('Enter');
  const notice = page.getByTestId('notice-info');
  await expect(notice).toContainText('“record” is not connected');
  await expect(notice).toContainText('in parallel with the rest (a group)');
  expect(Object.keys((await canvasJson(page)) as object)).toEqual(['group']);
  await page.getByTestId('notice-dismiss').click();
  await expect(notice).toHaveCount(0);

  // An info notice goes away on its own.
  await page.getByTestId('undo').click();
  await search.fill('mul');
  await search.press('Enter');
  await expect(notice).toBeVisible();
  await expect(notice).toHaveCount(0, { timeout: 15_000 });
});

test('an imported file names the document after itself (or after the name it carries)', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('import-file').setInputFiles({
    name: 'nightly-etl.canvas.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({
        chain: [
          { task: 'add', args: [1, 2] },
          { task: 'mul', args: [3] },
        ],
      }),
    ),
  });
  await expect(page.getByTestId('doc-title')).toHaveText('nightly-etl');
  await expect(page).toHaveTitle('nightly-etl · Chordflow');
  const yaml = 'reports.WEEKLY:\n  tasks:\n    - TASK_A\n    - TASK_D\n';
  await page.getByTestId('import-file').setInputFiles({
    name: 'workflows.yml',
    mimeType: 'text/yaml',
    buffer: Buffer.from(yaml),
  });
  await expect(page.getByTestId('doc-title')).toHaveText('reports.WEEKLY');
});

test('What-if: a candidate that never succeeds is worse, and its faster times are not green', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-tutorial').click();
  await page.getByTestId('sim-scenario').selectOption('flaky');
  await page.getByTestId('sim-tab-whatif').click();
  // TASK_A fails its first two attempts under `flaky`: with no retries no run can succeed.
  await page.getByLabel('max_retries').fill('0');
  await page.getByLabel('Monte Carlo runs').fill('50');
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page.getByTestId('mc-status')).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  const candidate = page.getByTestId('mc-variant').nth(1);
  await expect(candidate).toHaveAttribute('data-success-rate', '0');
  await expect(candidate.getByTestId('mc-verdict')).toHaveAttribute('data-verdict', 'worse');
  await expect(candidate.getByTestId('mc-verdict')).toContainText('success 100.0 % → 0.0 %');
  await expect(candidate.getByTestId('mc-stat-success')).toHaveAttribute('data-compare', 'worse');
  for (const stat of ['mc-stat-p50', 'mc-stat-p95', 'mc-stat-p99'])
    await expect(candidate.getByTestId(stat)).toHaveAttribute('data-compare', 'same');
});
