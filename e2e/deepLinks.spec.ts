/**
 * Deep links (issue 13, SPEC 2.4): `/?definition=project.NAME` opens a saved definition, `/?canvas=`
 * opens a small Canvas JSON from the link (validated as untrusted input, with a sentence when it is bad
 * or too big), the canvas that was open is kept, and `/runs/<id>` opens a run in a fresh browser.
 */
import { expect, test } from '@playwright/test';
import { canvasJson } from './support/editor';

test.use({ viewport: { width: 1440, height: 900 } });

test('?definition= opens a saved definition and keeps the canvas that was open', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-errback').click();
  await expect(page.locator('[data-testid="task-node"]')).toHaveCount(4);
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('chordflow.autosave') ?? ''))
    .toContain('"name":"Errback"');
  await page.goto('/?definition=demo.PIPELINE');
  await expect(page.getByTestId('doc-title')).toHaveText('demo.PIPELINE');
  await expect(page.locator('[data-testid="task-node"]')).toHaveCount(4);
  await expect(page.locator('[data-testid="task-node"][data-task="TASK_D"]')).toHaveCount(1);
  await expect(page.getByTestId('notice-info')).toContainText('Opened the definition “demo.PIPELINE”');
  await expect(page.getByTestId('notice-info')).toContainText('kept in Files as “Errback (before link)”');
  // The address no longer carries the link: a reload keeps edits instead of reopening it.
  expect(new URL(page.url()).search).toBe('');
  await page.getByTestId('tab-documents').click();
  await expect(page.getByTestId('documents-panel')).toContainText('Errback (before link)');

  await page.goto('/?definition=nope.MISSING');
  await expect(page.getByTestId('notice-error')).toHaveText(
    /There is no definition “nope.MISSING” on this server; nothing was opened\./,
  );
  await expect(page.getByTestId('doc-title')).toHaveText('demo.PIPELINE');
});

test('?canvas= opens a small canvas; a bad or too big one is refused with a sentence', async ({ page }) => {
  const canvas = {
    chain: [
      { task: 'add', args: [1, 2], id: 'sum' },
      { task: 'mul', args: [10] },
    ],
  };
  await page.goto(`/?canvas=${encodeURIComponent(JSON.stringify(canvas))}`);
  await expect(page.getByTestId('doc-title')).toHaveText('Shared canvas');
  expect(await canvasJson(page)).toEqual(canvas);

  // The share button makes such a link from the open canvas; it opens the same canvas elsewhere.
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('share-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  const other = await page.context().newPage();
  await other.goto(url);
  expect(await canvasJson(other)).toEqual(canvas);
  await other.close();

  await page.goto(`/?canvas=${encodeURIComponent('{"chain": [{"task": "add"')}`);
  await expect(page.getByTestId('notice-error')).toContainText('The canvas in this link is not valid JSON');
  await page.goto(`/?canvas=${encodeURIComponent('{"chord": {"header": [{"task": "add"}]}}')}`);
  await expect(page.getByTestId('notice-error')).toContainText('The canvas in this link was not opened');
  // Over the link limit (4,000 characters of JSON) but a URL the server still answers.
  const big = { group: Array.from({ length: 160 }, (_, i) => ({ task: 'add', args: [i, 1] })) };
  await page.goto(`/?canvas=${encodeURIComponent(JSON.stringify(big))}`);
  await expect(page.getByTestId('notice-error')).toContainText('too big to open from a URL');
  // Nothing bad was loaded: the shared canvas is still there.
  expect(await canvasJson(page)).toEqual(canvas);
});

test('/runs/<id> is shareable: a fresh browser opens the run', async ({ page, browser }) => {
  const res = await page.request.post('/api/workflows', {
    data: { project: 'demo', name: 'PIPELINE', payload: { raw: 'hello world', scenario: 'happy' } },
  });
  const { id } = (await res.json()) as { id: string };
  const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const tab = await fresh.newPage();
  await tab.goto(`/runs/${id}`);
  await expect(tab.getByTestId('run-detail')).toHaveAttribute('data-run-id', id);
  await expect(tab.getByTestId('run-detail')).toHaveAttribute('data-finished', 'true', { timeout: 30_000 });
  await expect(tab.locator('[data-testid="run-node"][data-status="success"]')).toHaveCount(4);
  await fresh.close();
});
