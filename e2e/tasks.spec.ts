/**
 * Issue 12: the editor's palette shows the user's tasks from the server's catalogue (`GET /api/tasks`,
 * the tasks directory `./tasks`) with their signatures, grouped by module or by queue and searchable,
 * and the simulator's worker pools per queue answer "what if this queue had more workers?".
 */
import { expect, test } from '@playwright/test';
import { canvasJson, taskNode } from './support/editor';

test.use({ viewport: { width: 1440, height: 900 } });

test("the palette lists the user's tasks with signatures, by module or by queue", async ({ page }) => {
  await page.goto('/');
  const mine = page.getByTestId('palette-section-user:example_upper');
  await expect(mine).toBeVisible();
  await expect(mine.getByRole('heading')).toHaveText('Your tasks · example_upper');
  const item = page.getByTestId('palette-task-example_upper');
  await expect(item).toContainText('example_upper(text)');
  await expect(page.getByTestId('palette-task-add')).toContainText('add(x, y)');
  await page.screenshot({
    path: 'test-results/palette-user-tasks.png',
    clip: { x: 0, y: 0, width: 320, height: 700 },
  });

  // Search matches signatures and modules too.
  await page.getByTestId('palette-search').fill('text');
  await expect(item).toBeVisible();
  await expect(page.getByTestId('palette-task-add')).toHaveCount(0);
  await page.getByTestId('palette-search').fill('');

  await page.getByTestId('palette-group-by-queue').check();
  await expect(page.getByTestId('palette-section-queue:default').getByRole('heading')).toHaveText(
    'Queue default',
  );

  // A user task validates in the editor (no "Unknown task") and goes on the canvas.
  await item.click();
  await expect(taskNode(page, 'example_upper')).toBeVisible();
  expect(await canvasJson(page)).toEqual({ task: 'example_upper' });
});

test('the simulator takes worker pools per queue', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('palette-search').fill('delayed');
  await page.getByTestId('palette-search').press('Enter');
  await expect(taskNode(page, 'delayed')).toBeVisible();
  const pools = page.getByTestId('sim-pools');
  await pools.fill('gpu=1');
  await expect(pools).toHaveAttribute('aria-invalid', 'true');
  await expect(pools).toHaveAttribute('title', /not QUEUE=WORKERSxSLOTS/);
  await pools.fill('default=2x8,gpu=1x1');
  await expect(pools).toHaveAttribute('aria-invalid', 'false');
});
