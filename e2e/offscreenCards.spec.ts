/**
 * Big canvases drawn card by card (stacks off): once every node is measured, cards off screen skip their
 * layout and paint (editor.css `cf-measured`, `content-visibility: auto`), and come back whole — text,
 * handles, edges attached where they belong — when they scroll into view.
 */
import { expect, type Page, test } from '@playwright/test';

/** Whether the card's content is rendered (false: skipped by `content-visibility: auto`). */
function rendered(page: Page, args: string): Promise<boolean> {
  return page
    .locator('[data-testid="task-node"]', { has: page.locator('.cf-task-args', { hasText: args }) })
    .evaluate((el) =>
      (el as Element & { checkVisibility(o: object): boolean }).checkVisibility({
        contentVisibilityAuto: true,
      }),
    );
}

/** Screen distance between the end of the result edge into the card and the card's `in` handle. */
function edgeToHandle(page: Page, args: string): Promise<number> {
  return page.evaluate((text) => {
    const card = [...document.querySelectorAll('[data-testid="task-node"]')].find(
      (el) => el.querySelector('.cf-task-args')?.textContent === text,
    );
    const node = card?.closest('.react-flow__node');
    const id = node?.getAttribute('data-id');
    const handle = node?.querySelector('.react-flow__handle[data-handleid="in"]');
    const edge = [...document.querySelectorAll('.react-flow__edge')].find((e) =>
      e.getAttribute('aria-label')?.endsWith(` to ${id}`),
    );
    const path = edge?.querySelector<SVGPathElement>('path.react-flow__edge-path');
    const m = path?.getScreenCTM();
    if (!handle || !path || !m) return Number.POSITIVE_INFINITY;
    const end = path.getPointAtLength(path.getTotalLength());
    const screen = new DOMPoint(end.x, end.y).matrixTransform(m);
    const h = handle.getBoundingClientRect();
    return Math.hypot(screen.x - (h.left + h.width / 2), screen.y - (h.top + h.height / 2));
  }, args);
}

test('cards off screen skip rendering once measured and come back whole, edges attached', async ({
  page,
}) => {
  await page.goto('/bench/editor?n=400&stacks=off');
  await expect(page.locator('[data-testid="task-node"]')).toHaveCount(400, { timeout: 60_000 });
  await expect(page.locator('.cf-canvas.cf-measured')).toHaveCount(1);
  // Forty rows of ten cards: (390) starts the last row, far below the first screen.
  expect(await rendered(page, '(390)')).toBe(false);
  expect(await rendered(page, '(0)')).toBe(true);

  // Pan up along the gap between the first two columns (empty pane), as a person drags the canvas.
  const canvas = await page.getByTestId('canvas').boundingBox();
  if (canvas === null) throw new Error('no canvas');
  const x = canvas.x + 227;
  for (let k = 0; k < 5; k++) {
    await page.mouse.move(x, canvas.y + 700);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x, canvas.y + 700 - i * 60);
    await page.mouse.up();
  }
  await expect.poll(() => rendered(page, '(391)')).toBe(true);
  // The edge from (390) ends on (391)'s input handle: its route comes from handle positions measured at load.
  await expect.poll(() => edgeToHandle(page, '(391)')).toBeLessThan(6);
});
