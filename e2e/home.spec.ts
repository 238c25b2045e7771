import { expect, test } from '@playwright/test';

test('the home page renders in real Chromium', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Chordflow' })).toBeVisible();
});
