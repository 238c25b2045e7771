import { expect, test } from '@playwright/test';

test('the home page is the editor: palette, empty canvas hint, side panel', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('toolbar', { name: 'Editor toolbar' })).toContainText('Chordflow');
  await expect(page.getByTestId('palette-task-TASK_A')).toBeVisible();
  await expect(page.getByTestId('empty-hint')).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute('aria-selected', 'true');
  // The palette is searchable.
  await page.getByTestId('palette-search').fill('chord');
  await expect(page.getByTestId('palette-chord')).toBeVisible();
  await expect(page.getByTestId('palette-task-TASK_A')).toHaveCount(0);
});
