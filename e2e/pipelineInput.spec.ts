/**
 * Pipeline input (issue 13): the payload is edited once in the editor and used by Simulate, Run, the
 * saved definition run through the director API, relaunch and retry-from-failed (with an edited input).
 */
import { expect, type Page, test } from '@playwright/test';
import { canvasJson } from './support/editor';

test.use({ viewport: { width: 1440, height: 900 } });

interface Workflow {
  id: string;
  status: string;
  payload: { raw?: string; scenario?: string };
  tasks: Array<{ key: string; status: string; result: unknown }>;
}

async function finished(page: Page, id: string): Promise<Workflow> {
  let w: Workflow | undefined;
  await expect
    .poll(
      async () => {
        w = (await (await page.request.get(`/api/workflows/${id}`)).json()) as Workflow;
        return w.status;
      },
      { timeout: 45_000 },
    )
    .toMatch(/success|error/);
  return w as Workflow;
}

function resultOf(w: Workflow, key: string): string {
  return JSON.stringify(w.tasks.find((t) => t.key === key)?.result ?? null);
}

async function setInput(page: Page, payload: object) {
  await page.getByTestId('input-button').click();
  await expect(page.getByTestId('input-takers')).toContainText('TASK_A, TASK_B, TASK_C, TASK_D');
  await page.getByTestId('input-payload').fill(JSON.stringify(payload));
  await page.getByTestId('input-apply').click();
  await expect(page.getByTestId('input-dialog')).toHaveCount(0);
}

test('edited once: the payload reaches every task in Simulate, Run and the saved definition', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-tutorial').click();
  await expect(page.locator('[data-testid="task-node"]')).toHaveCount(4);

  // A bad input is named and changes nothing.
  await page.getByTestId('input-button').click();
  await page.getByTestId('input-payload').fill('[1, 2]');
  await page.getByTestId('input-apply').click();
  await expect(page.getByTestId('input-error')).toHaveText(
    'The payload must be a JSON object, e.g. {"raw": "hello"}.',
  );
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('input-dialog')).toHaveCount(0);
  await expect(page.getByTestId('input-button')).toHaveAttribute('data-set', 'false');

  await setInput(page, { raw: 'bonjour', scenario: 'happy' });
  await expect(page.getByTestId('input-button')).toHaveAttribute('data-set', 'true');
  // The code view shows it in every task that takes a payload.
  const json = JSON.stringify(await canvasJson(page));
  expect(json.match(/"raw":"bonjour"/g)?.length).toBe(4);

  // Simulate: TASK_A preprocesses the input.
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-summary')).toHaveAttribute('data-status', 'success');
  await page.getByTestId('sim-end').click();
  await page.getByTestId('sim-tab-timeline').click();
  await page.locator('[data-testid="attempt-bar"]').first().click();
  await expect(page.getByTestId('drawer-result')).toContainText('"processed": "BONJOUR"');

  // Run: the dialog starts from the input; what the run used is the run's payload.
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-payload')).toHaveValue(/"raw": "bonjour"/);
  await page.getByTestId('run-submit').click();
  const runId = (await page.getByTestId('live-run-banner').getAttribute('data-run-id')) ?? '';
  const run = await finished(page, runId);
  expect(run.payload).toEqual({ raw: 'bonjour', scenario: 'happy' });
  expect(resultOf(run, 'TASK_A')).toContain('"processed":"BONJOUR"');

  // Saved as a definition, the input is its default payload for the director API.
  await page.getByTestId('tab-documents').click();
  await page.getByLabel('Definition name (project.NAME)').fill('e2e.GREET');
  await page.getByRole('button', { name: 'Save to server' }).click();
  await expect(page.getByTestId('notice-info')).toContainText('Saved the definition');
  const created = await page.request.post('/api/workflows', {
    data: { project: 'e2e', name: 'GREET', payload: { scenario: 'flaky' } },
  });
  expect(created.status()).toBe(201);
  const viaApi = await finished(page, ((await created.json()) as { id: string }).id);
  expect(viaApi.payload).toEqual({ raw: 'bonjour', scenario: 'flaky' });
  expect(resultOf(viaApi, 'TASK_A')).toContain('"processed":"BONJOUR"');
});

test('relaunch and retry-from-failed with an edited input', async ({ page }) => {
  test.setTimeout(150_000);
  const res = await page.request.post('/api/workflows', {
    data: { project: 'demo', name: 'PIPELINE', payload: { raw: 'hello world', scenario: 'partial_fail' } },
  });
  const first = await finished(page, ((await res.json()) as { id: string }).id);
  expect(first.status).toBe('error');

  // Retry from failed with the scenario fixed: B and D run again, A and C are replayed.
  await page.goto(`/runs/${first.id}`);
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-finished', 'true');
  await page.getByRole('button', { name: 'Retry from failed' }).click();
  await expect(page.getByTestId('rerun-payload')).toHaveValue(/"scenario": "partial_fail"/);
  await page.getByTestId('rerun-payload').fill('{"raw": "hello world", "scenario": "happy"}');
  await page.getByTestId('retry-submit').click();
  await expect(page).not.toHaveURL(new RegExp(first.id));
  const retryId = decodeURIComponent(page.url().split('/runs/')[1] ?? '');
  const retry = await finished(page, retryId);
  expect(retry.status).toBe('success');
  expect(retry.payload).toEqual({ raw: 'hello world', scenario: 'happy' });
  // Replayed tasks read as the tasks they stand for, not `identity`.
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-finished', 'true', { timeout: 20_000 });
  const rowA = page.locator('[data-testid="run-task-row"][data-task-id="task.tasks.0"]');
  await expect(rowA.locator('strong')).toHaveText('TASK_A');
  await expect(rowA.getByTestId('run-task-replayed')).toBeVisible();
  await expect(page.locator('[data-testid="run-node"][data-task-id="task.tasks.0"]')).toContainText('TASK_A');

  // Relaunch the retry with another input: every task runs again on it.
  await page.getByRole('button', { name: 'Relaunch' }).click();
  await page.getByTestId('rerun-payload').fill('{"raw": "ciao", "scenario": "happy"}');
  await page.getByTestId('relaunch-submit').click();
  await expect(page).not.toHaveURL(new RegExp(retryId));
  const again = await finished(page, decodeURIComponent(page.url().split('/runs/')[1] ?? ''));
  expect(again.payload).toEqual({ raw: 'ciao', scenario: 'happy' });
  expect(again.status).toBe('success');
  // TASK_A was replayed in the retry: relaunching replays it again; B ran on the new input.
  expect(resultOf(again, 'TASK_B')).not.toBe('null');
});
