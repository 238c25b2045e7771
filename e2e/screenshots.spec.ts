import { expect, test } from '@playwright/test';

/**
 * Screenshots of every panel in light and dark mode (test-results/editor-screenshots/), for a person to
 * look at; the assertions only check that each panel rendered.
 */
const DIR = 'test-results/editor-screenshots';

for (const theme of ['light', 'dark'] as const) {
  test(`screenshots: every panel, ${theme}`, async ({ page }) => {
    await page.setViewportSize({ width: 1440, height: 860 });
    await page.addInitScript((t) => window.localStorage.setItem('chordflow.theme', t), theme);
    await page.goto('/');
    await expect(page.getByTestId('editor')).toHaveAttribute('data-theme', theme);
    await page.screenshot({ path: `${DIR}/${theme}-empty.png` });
    await page.getByTestId('tab-documents').click();
    await page.screenshot({ path: `${DIR}/${theme}-files.png` });
    await page.getByTestId('template-tutorial').click();
    await page
      .locator('.react-flow__node')
      .filter({ has: page.locator('[data-task="TASK_B"]') })
      .click();
    await page.getByTestId('tab-inspector').click();
    await expect(page.getByTestId('inspector-task')).toHaveValue('TASK_B');
    await page.screenshot({ path: `${DIR}/${theme}-inspector.png` });
    await page.getByTestId('tab-code').click();
    await page.screenshot({ path: `${DIR}/${theme}-code.png` });
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('template-nested-chord').click();
    await page.getByTestId('tab-code').click();
    await page
      .getByTestId('code-text')
      .fill(
        '{"chain": [{"task": "add", "args": [1, 2]}, {"task": "ad", "link_error": [{"task": "on_error"}]}, {"group": []}]}',
      );
    await expect(page.getByTestId('problem-badge').first()).toBeVisible();
    await page.getByTestId('tab-problems').click();
    await page.screenshot({ path: `${DIR}/${theme}-problems.png` });
    await page.keyboard.press('?');
    await expect(page.getByTestId('shortcut-sheet')).toBeVisible();
    await page.screenshot({ path: `${DIR}/${theme}-shortcuts.png` });
  });
}
