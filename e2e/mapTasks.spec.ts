import { expect, test } from '@playwright/test';
import { canvasJson, dropFromPalette, selectNode, taskNode } from './support/editor';

// Issue 15: Celery's xmap/xstarmap/chunks in the editor, and the sending options in the inspector.
test.use({ viewport: { width: 1440, height: 900 } });

const CANVAS = {
  chain: [
    { xmap: { task: { task: 'identity' }, items: [1, 2, 3] } },
    {
      chunks: {
        task: { task: 'add' },
        items: [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        n: 2,
      },
    },
    { task: 'xsum' },
  ],
};

test('xmap and chunks import, read the Celery way, simulate, and take sending options', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('import-file').setInputFiles({
    name: 'maps.canvas.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(CANVAS)),
  });
  await expect(taskNode(page, 'celery.map')).toContainText('[identity(x) for x in 3 items]');
  const chunks = taskNode(page, 'celery.chunks');
  await expect(chunks).toContainText('chunks(add, 3 items, n=2) → 2 tasks');
  await expect(chunks.locator('.cf-task')).toHaveClass(/is-chunks/);
  expect(await canvasJson(page)).toEqual(CANVAS);

  // Simulated: chunks.group() of two starmaps, their lists summed by xsum.
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-summary')).toHaveAttribute('data-status', 'success');
  await page.getByTestId('sim-end').click();
  await expect(taskNode(page, 'xsum').locator('[data-state]').first()).toHaveAttribute(
    'data-state',
    /SUCCESS/,
  );

  // Sending options from the inspector land in the canvas with Celery's names.
  await selectNode(page, 'celery.chunks');
  await page.getByTestId('tab-inspector').click();
  await page.getByTestId('opt-expires').fill('30');
  await page.getByTestId('opt-apply_countdown').fill('1');
  const json = (await canvasJson(page)) as { chain: Array<{ options?: unknown }> };
  expect(json.chain[1]?.options).toEqual({ expires: 30, apply_countdown: 1 });

  // From the palette, a starmap comes ready to run.
  await dropFromPalette(page, 'palette-task-celery.starmap', page.locator('.react-flow__pane'), {
    x: 700,
    y: 60,
  });
  await expect(taskNode(page, 'celery.starmap')).toContainText('[add(*x) for x in 2 items]');
  await page.screenshot({ path: 'test-results/map-tasks.png' });
});
