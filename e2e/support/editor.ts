import { expect, type Locator, type Page } from '@playwright/test';

/** The React Flow node wrapping a task card with this task name. */
export function taskNode(page: Page, name: string): Locator {
  return page.locator('.react-flow__node').filter({ has: page.locator(`[data-task="${name}"]`) });
}

/**
 * Selects a task node the keyboard way (focus + Enter, React Flow's a11y), which works even where the
 * minimap or a dock covers part of the canvas.
 */
export async function selectNode(page: Page, name: string) {
  const node = taskNode(page, name);
  await node.focus();
  await node.press('Enter');
}

/** Drags a palette entry onto the canvas at a point relative to `target` (default: the pane). */
export async function dropFromPalette(
  page: Page,
  testId: string,
  target: Locator,
  position: { x: number; y: number },
) {
  await page.getByTestId(testId).dragTo(target, { targetPosition: position, force: true });
}

/** Drags from one node's handle to another node's handle with the mouse (React Flow connection). */
export async function connectHandles(page: Page, from: Locator, to: Locator) {
  const a = await stableBox(page, from);
  const b = await stableBox(page, to);
  if (a === null || b === null) throw new Error('handle not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  // Start the connection by moving towards the target (moving outwards could reach the pane's auto-pan zone).
  const dx = Math.sign(b.x - a.x) * 20;
  await page.mouse.move(a.x + dx, a.y + 10, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** The element's box once it stops moving (the view fits itself after a template loads). */
async function stableBox(page: Page, locator: Locator) {
  let prev = await locator.boundingBox();
  for (let i = 0; i < 50; i++) {
    await page.waitForTimeout(50);
    const next = await locator.boundingBox();
    if (prev !== null && next !== null && prev.x === next.x && prev.y === next.y) return next;
    prev = next;
  }
  return prev;
}

/** Reads the Canvas JSON from the code panel. */
export async function canvasJson(page: Page): Promise<unknown> {
  await page.getByTestId('tab-code').click();
  await expect(page.getByTestId('code-format')).toHaveValue('canvas-json');
  const text = await page.getByTestId('code-text').inputValue();
  return text.trim() === '' ? null : JSON.parse(text);
}

/** Sets args/kwargs of the selected task through the inspector. */
export async function setJsonField(page: Page, testId: string, value: unknown) {
  const field = page.getByTestId(testId);
  await field.fill(JSON.stringify(value));
  await field.blur();
}

export const PAYLOAD = { raw: 'hello world', scenario: 'happy' };

/** SPEC 2.2's tutorial pipeline in Canvas JSON. */
export const TUTORIAL_JSON = {
  chain: [
    { task: 'TASK_A', args: [null], kwargs: { payload: PAYLOAD } },
    {
      group: [
        { task: 'TASK_B', kwargs: { payload: PAYLOAD } },
        { task: 'TASK_C', kwargs: { payload: PAYLOAD } },
      ],
    },
    { task: 'TASK_D', kwargs: { payload: PAYLOAD } },
  ],
};
