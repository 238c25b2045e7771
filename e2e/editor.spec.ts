import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import {
  canvasJson,
  connectHandles,
  dropFromPalette,
  PAYLOAD,
  selectNode,
  setJsonField,
  TUTORIAL_JSON,
  taskNode,
} from './support/editor';

// The editor shares the stage with the simulation dock: give the canvas room.
test.use({ viewport: { width: 1440, height: 900 } });

test.describe('the visual editor', () => {
  test('builds the tutorial pipeline by drag and drop, exports it as Canvas JSON and re-imports it', async ({
    page,
  }) => {
    await page.goto('/');
    const pane = page.locator('.react-flow__pane');
    await expect(page.getByTestId('empty-hint')).toBeVisible();

    const paneBox = (await pane.boundingBox())!;
    await dropFromPalette(page, 'palette-task-TASK_A', pane, { x: 160, y: 300 });
    await expect(taskNode(page, 'TASK_A')).toBeVisible();
    const aBox = (await taskNode(page, 'TASK_A').boundingBox())!;
    await dropFromPalette(page, 'palette-group', pane, {
      x: Math.round(aBox.x + aBox.width + 120 - paneBox.x),
      y: Math.round(aBox.y - paneBox.y),
    });
    const group = page.locator('.react-flow__node').filter({ has: page.getByTestId('group-node') });
    await expect(group).toBeVisible();
    // Into the group container: parallel members.
    await dropFromPalette(page, 'palette-task-TASK_B', group, { x: 60, y: 50 });
    await expect(taskNode(page, 'TASK_B')).toBeVisible();
    await dropFromPalette(page, 'palette-task-TASK_C', group, { x: 60, y: 60 });
    await expect(taskNode(page, 'TASK_C')).toBeVisible();
    await expect(group.getByText('2', { exact: true })).toBeVisible();
    const groupBox = (await group.boundingBox())!;
    await dropFromPalette(page, 'palette-task-TASK_D', pane, {
      x: Math.round(groupBox.x + groupBox.width + 140 - paneBox.x),
      y: Math.round(groupBox.y + groupBox.height / 2 - paneBox.y),
    });
    await expect(taskNode(page, 'TASK_D')).toBeVisible();

    await connectHandles(
      page,
      taskNode(page, 'TASK_A').locator('[data-handleid="out"]'),
      group.locator('[data-handleid="in"]').first(),
    );
    await connectHandles(
      page,
      group.locator('[data-handleid="out"]').first(),
      taskNode(page, 'TASK_D').locator('[data-handleid="in"]'),
    );
    await expect(page.locator('.react-flow__edge')).toHaveCount(2);

    // Arguments through the inspector.
    await page.getByTestId('tab-inspector').click();
    for (const name of ['TASK_A', 'TASK_B', 'TASK_C', 'TASK_D']) {
      await selectNode(page, name);
      await expect(page.getByTestId('inspector-task')).toHaveValue(name);
      if (name === 'TASK_A') await setJsonField(page, 'inspector-args', [null]);
      await setJsonField(page, 'inspector-kwargs', { payload: PAYLOAD });
    }
    expect(await canvasJson(page)).toEqual(TUTORIAL_JSON);

    // Export the file the way a user does, and check it.
    await page.getByTestId('tab-documents').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-canvas-json').click(),
    ]);
    const path = await download.path();
    const exported = JSON.parse(await readFile(path, 'utf8'));
    expect(exported).toEqual(TUTORIAL_JSON);

    // Re-import into an empty canvas.
    await page.getByTestId('doc-new').click();
    await expect(page.locator('.react-flow__node')).toHaveCount(0);
    await page.getByTestId('import-file').setInputFiles(path);
    await expect(page.locator('.react-flow__node')).toHaveCount(5);
    expect(await canvasJson(page)).toEqual(TUTORIAL_JSON);
  });

  test('edits a retry policy in the inspector, with undo and redo', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('template-tutorial').click();
    await selectNode(page, 'TASK_B');
    await page.getByTestId('tab-inspector').click();
    await page.getByTestId('opt-max_retries').fill('5');
    await page.getByTestId('opt-retry_backoff').selectOption('true');
    await page.getByTestId('opt-countdown').fill('2');
    const badge = taskNode(page, 'TASK_B').getByTestId('retry-badge');
    await expect(badge).toHaveText('↻ 5');
    const json = (await canvasJson(page)) as { chain: [unknown, { group: Array<{ options?: unknown }> }] };
    expect(json.chain[1].group[0]!.options).toEqual({ max_retries: 5, retry_backoff: true, countdown: 2 });

    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect(badge).toHaveText('↻ 5');
    await page.keyboard.press('Control+z');
    await expect(badge).toHaveCount(0);
    await page.keyboard.press('Control+Shift+z');
    await expect(badge).toHaveText('↻ 5');
    await page.getByTestId('redo').click();
    await page.getByTestId('redo').click();
    const again = (await canvasJson(page)) as { chain: [unknown, { group: Array<{ options?: unknown }> }] };
    expect(again.chain[1].group[0]!.options).toEqual({ max_retries: 5, retry_backoff: true, countdown: 2 });
  });

  test('one drag is one undo step', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('template-errback').click();
    const node = taskNode(page, 'fail');
    const before = (await node.boundingBox())!;
    await page.mouse.move(before.x + 60, before.y + 20);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(before.x + 60 + i * 8, before.y + 20 + i * 12);
    await page.mouse.up();
    const moved = (await node.boundingBox())!;
    expect(Math.abs(moved.y - before.y)).toBeGreaterThan(60);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => Math.round((await node.boundingBox())!.y)).toBe(Math.round(before.y));
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => Math.round((await node.boundingBox())!.y)).toBe(Math.round(moved.y));
  });

  test('keyboard shortcuts: copy, paste, duplicate, wrap, delete, select downstream, shortcut sheet', async ({
    page,
  }) => {
    await page.goto('/');
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('template-tutorial').click();
    const nodes = page.locator('.react-flow__node');
    await expect(nodes).toHaveCount(5);

    await selectNode(page, 'TASK_D');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect(taskNode(page, 'TASK_D')).toHaveCount(2);
    await page.keyboard.press('Control+d');
    await expect(taskNode(page, 'TASK_D')).toHaveCount(3);
    await page.keyboard.press('Delete');
    await expect(taskNode(page, 'TASK_D')).toHaveCount(2);
    await page.keyboard.press('Control+z');
    await expect(taskNode(page, 'TASK_D')).toHaveCount(3);
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect(taskNode(page, 'TASK_D')).toHaveCount(1);

    // Select A, then everything downstream of it.
    await selectNode(page, 'TASK_A');
    await page.keyboard.press('Shift+D');
    await expect(page.locator('.react-flow__node.selected')).toHaveCount(5);

    // Wrap D in a chain container and unwrap it again.
    await page.keyboard.press('Escape');
    await selectNode(page, 'TASK_D');
    await page.keyboard.press('Control+Shift+L');
    await expect(page.getByTestId('chain-node')).toHaveCount(1);
    await page.keyboard.press('Control+Shift+G');
    await expect(page.getByTestId('chain-node')).toHaveCount(0);
    expect(await canvasJson(page)).toEqual(TUTORIAL_JSON);

    // Reorder header members with Alt+Up.
    await selectNode(page, 'TASK_C');
    await page.keyboard.press('Alt+ArrowUp');
    const json = (await canvasJson(page)) as { chain: [unknown, { group: Array<{ task: string }> }] };
    expect(json.chain[1].group.map((t) => t.task)).toEqual(['TASK_C', 'TASK_B']);

    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('?');
    await expect(page.getByTestId('shortcut-sheet')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('shortcut-sheet')).toHaveCount(0);
  });

  test('a bad paste shows an error and changes nothing', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('template-tutorial').click();
    const before = await canvasJson(page);
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', '{"chain": [{"task": "add"}, {"grop": []}]');
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    });
    await expect(page.getByTestId('notice-error')).toContainText('Nothing was imported');
    expect(await canvasJson(page)).toEqual(before);
    await expect(page.locator('.react-flow__node')).toHaveCount(5);

    // Invalid code in the code panel: errors shown, drawing unchanged.
    await page.getByTestId('code-text').fill('{"chain": [ {"task": "add" ');
    await expect(page.getByTestId('code-problems')).toBeVisible();
    await expect(page.locator('.react-flow__node')).toHaveCount(5);
    // Valid code: the drawing follows.
    await page
      .getByTestId('code-text')
      .fill('{"group": [{"task": "add", "args": [1, 2]}, {"task": "mul", "args": [3, 4]}]}');
    await expect(page.locator('.react-flow__node')).toHaveCount(2);
    await expect(page.getByTestId('code-problems')).toHaveCount(0);
  });

  test('rejects a connection that would make a cycle and names it', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('template-errback').click();
    await connectHandles(
      page,
      taskNode(page, 'record').locator('[data-handleid="out"]'),
      taskNode(page, 'add').locator('[data-handleid="in"]'),
    );
    await expect(page.getByTestId('notice-error')).toContainText('cycle');
    // The new edge is not drawn; the two drawn edges of the cycle are highlighted.
    await expect(page.locator('.cf-edge.is-highlight')).toHaveCount(2);
  });

  test('problems list: an unknown task is flagged on its node and clicking the problem selects it', async ({
    page,
  }) => {
    await page.goto('/');
    await page.getByTestId('tab-code').click();
    await page.getByTestId('code-text').fill('{"chain": [{"task": "add", "args": [1, 2]}, {"task": "ad"}]}');
    await expect(page.locator('.react-flow__node')).toHaveCount(2);
    await expect(page.getByTestId('problem-badge')).toHaveCount(1);
    await page.getByTestId('tab-problems').click();
    await page.getByTestId('problem-item').first().click();
    await expect(page.locator('.react-flow__node.selected')).toHaveCount(1);
    await expect(page.locator('.react-flow__node.selected [data-task="ad"]')).toHaveCount(1);
  });

  test('problems list: 250 unknown tasks show 100 at a time, with a count of the rest', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('tab-code').click();
    const tasks = Array.from({ length: 250 }, (_, i) => ({ task: `nope_${i}` }));
    await page.getByTestId('code-text').fill(JSON.stringify({ group: tasks }));
    await page.getByTestId('tab-problems').click();
    await expect(page.getByTestId('problem-item')).toHaveCount(100);
    await expect(page.getByTestId('problems-more')).toHaveText(
      'Show 100 more (150 more problems; 250 in all)',
    );
    await page.getByTestId('problems-more').click();
    await expect(page.getByTestId('problem-item')).toHaveCount(200);
    await page.getByTestId('problems-more').click();
    await expect(page.getByTestId('problem-item')).toHaveCount(250);
    await expect(page.getByTestId('problems-more')).toHaveCount(0);
  });

  test('dark mode is remembered', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('theme-toggle').click();
    const theme = await page.getByTestId('editor').getAttribute('data-theme');
    await page.reload();
    await expect(page.getByTestId('editor')).toHaveAttribute('data-theme', theme!);
  });
});

test('auto-layout runs ELK in a worker and is one undo step', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-nested-chord').click();
  const node = page.locator('.react-flow__node').filter({ has: page.locator('[data-task="identity"]') });
  const before = await node.getAttribute('style');
  await page.getByTestId('elk-layout').click();
  await expect.poll(() => node.getAttribute('style')).not.toBe(before);
  await expect(page.getByTestId('notice-error')).toHaveCount(0);
  await page.getByTestId('undo').click();
  await expect.poll(() => node.getAttribute('style')).toBe(before);
});

test('dropping a task on an edge inserts it into the chain; a chord gets a member in its header', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-tutorial').click();
  // A straight edge has a zero-height box, which Playwright calls hidden: read its box directly.
  const edge = page.locator('.react-flow__edge path.cf-edge').first();
  await expect.poll(async () => (await edge.boundingBox())?.width ?? 0).toBeGreaterThan(10);
  const box = (await edge.boundingBox())!;
  const pane = page.locator('.react-flow__pane');
  const paneBox = (await pane.boundingBox())!;
  await dropFromPalette(page, 'palette-task-identity', pane, {
    x: Math.round(box.x + box.width / 2 - paneBox.x),
    y: Math.round(box.y + box.height / 2 - paneBox.y),
  });
  const json = (await canvasJson(page)) as { chain: Array<{ task?: string }> };
  expect(json.chain.map((s) => s.task ?? 'group')).toEqual(['TASK_A', 'identity', 'group', 'TASK_D']);

  // A chord from the palette, then a task dropped on its frame joins the header.
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('template-errback').click();
  await dropFromPalette(page, 'palette-chord', pane, { x: 200, y: 60 });
  const chord = page.locator('.react-flow__node').filter({ has: page.getByTestId('chord-node') });
  await expect(chord).toBeVisible();
  await dropFromPalette(page, 'palette-task-mul', chord, { x: 20, y: 12 });
  await expect(chord.getByText('3', { exact: true })).toBeVisible();
  await page.getByTestId('tab-code').click();
  await page.getByTestId('code-format').selectOption('python');
  await expect(page.getByTestId('code-text')).toHaveValue(/chord\(/);
  await expect(page.getByTestId('code-text')).toHaveJSProperty('readOnly', true);
});
