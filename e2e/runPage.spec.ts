/**
 * The run page's papercuts (issue 13), on the real stack: the task drawer opens beside the graph and in
 * view with the traceback and every attempt; the chord badge counts failures; unlabelled tasks read as
 * where they sit and Celery's error names them; a canceled run draws no attempt as still running.
 */
import { expect, type Page, test } from '@playwright/test';

test.use({ viewport: { width: 1440, height: 900 } });

async function startDefinition(page: Page, scenario: string): Promise<string> {
  const res = await page.request.post('/api/workflows', {
    data: { project: 'demo', name: 'PIPELINE', payload: { raw: 'hello world', scenario } },
  });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

test('partial_fail: drawer beside the graph with traceback and every attempt; badge counts the failure', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const id = await startDefinition(page, 'partial_fail');
  await page.goto(`/runs/${id}`);
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-finished', 'true', { timeout: 45_000 });

  // The chord's barrier badge says a header member failed instead of looking complete.
  const chord = page.getByTestId('run-node-chord');
  await expect(chord).toHaveAttribute('data-failed', '1');
  await expect(chord).toContainText('2 of 2 · 1 failed');

  // No path ids where a person reads: TASK_B sits at step 2 › header 1, and the ChordError says so.
  const rowB = page.locator('[data-testid="run-task-row"]', { hasText: 'TASK_B' });
  await expect(rowB.getByTestId('run-task-caption')).toHaveText('step 2 › header 1');
  await expect(page.getByTestId('run-error')).toContainText('Dependency task.tasks.1.header.0 raised');
  await expect(page.getByTestId('run-error-where')).toHaveText(
    'task.tasks.1.header.0 is TASK_B at step 2 › header 1',
  );

  // Scroll to the table, pick TASK_B: the drawer opens beside the content and inside the viewport.
  await rowB.scrollIntoViewIfNeeded();
  await rowB.click();
  const drawer = page.getByTestId('task-drawer');
  await expect(drawer).toBeVisible();
  await expect(drawer).toBeInViewport();
  const graph = (await page.getByTestId('run-graph').boundingBox())!;
  const box = (await drawer.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(graph.x + graph.width);
  await expect(page.getByTestId('drawer-caption')).toHaveText('step 2 › header 1');
  await expect(page.getByTestId('drawer-traceback')).toContainText('Traceback (most recent call last):');
  await expect(page.getByTestId('drawer-traceback')).toContainText('Task TASK_B[task.tasks.1.header.0]');
  // Four attempts, each with its own error sentence.
  await expect(page.getByTestId('drawer-attempt')).toHaveCount(4);
  await expect(page.getByTestId('drawer-attempt-error')).toHaveCount(4);
  await expect(page.getByTestId('drawer-attempt-error').first()).toContainText('500 Server Error');
  // The drawer is what the API returns: the same traceback.
  const api = (await (await page.request.get(`/api/workflows/${id}`)).json()) as {
    tasks: Array<{ key: string; result: { traceback?: string } }>;
  };
  const tb = api.tasks.find((t) => t.key === 'TASK_B')?.result.traceback ?? '';
  expect(tb).not.toBe('');
  await expect(page.getByTestId('drawer-traceback').locator('pre')).toHaveText(tb);
});

test('a canceled run draws no running attempt', async ({ page }) => {
  test.setTimeout(90_000);
  // `slow`: TASK_A's model call outlasts its time limit, so it is mid-attempt when we cancel.
  const id = await startDefinition(page, 'slow');
  await page.goto(`/runs/${id}`);
  await expect(page.locator('[data-testid="run-node"][data-status="running"]')).toHaveCount(1, {
    timeout: 20_000,
  });
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-finished', 'true', { timeout: 20_000 });
  await expect(page.locator('[data-testid="run-node"][data-status="running"]')).toHaveCount(0);
  // A was cut mid-attempt; B, C and D never started: all revoked.
  await expect(page.locator('[data-testid="run-node"][data-status="revoked"]')).toHaveCount(4);
  await expect(page.locator('[data-testid="attempt-bar"][data-outcome="running"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="attempt-bar"][data-outcome="revoked"]')).toHaveCount(1);
  await page.locator('[data-testid="run-task-row"]', { hasText: 'TASK_A' }).click();
  await expect(page.getByTestId('drawer-attempt').last()).toHaveAttribute('data-outcome', 'revoked');
});
