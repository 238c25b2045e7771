/**
 * Stacks (issue 13): a chord over 1,000 / 10,000 documents is drawn as one stacked node with its count;
 * a range of members opens in place; a simulation fills the counts and lists failed members first; a
 * live run on the cluster moves the counts. Screenshots in light and dark mode for a person to read.
 */
import { mkdirSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';

const SHOTS = 'test-results/screens';

function fanOut(n: number, member: Record<string, unknown> = {}): unknown {
  return {
    chord: {
      header: Array.from({ length: n }, (_, i) => ({ task: 'add', args: [i, 1], ...member })),
      body: { task: 'tsum' },
    },
  };
}

async function importCanvas(page: Page, canvas: unknown): Promise<void> {
  await page.goto('/');
  await page.evaluate(() => sessionStorage.clear());
  await page.getByTestId('tab-documents').click();
  await page.getByTestId('import-text').fill(JSON.stringify(canvas));
  await page.getByTestId('import-apply').click();
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const current = await page.getByTestId('editor').getAttribute('data-theme');
  if (current !== theme) await page.getByTestId('theme-toggle').click();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-theme', theme);
}

const stack = (page: Page) => page.getByTestId('stack-node');
const tasks = (page: Page) => page.locator('[data-testid="task-node"]');

test.describe('stacks', () => {
  test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

  test('a 1,000-member chord is one stack; a range of members opens in place and closes', async ({
    page,
  }) => {
    await importCanvas(page, fanOut(1000));
    await expect(stack(page)).toHaveCount(1);
    await expect(stack(page)).toHaveAttribute('data-count', '1000');
    await expect(stack(page).getByTestId('stack-count')).toHaveText('×1,000');
    await expect(stack(page)).toContainText('(0, 1) … (999, 1)');
    // The body is the only task card drawn; the tree still holds every member.
    await expect(tasks(page)).toHaveCount(1);
    await expect(page.getByTestId('chord-node')).toHaveCount(1);

    await stack(page).getByTestId('stack-range-open').click();
    await stack(page).getByTestId('stack-range-from').fill('11');
    await stack(page).getByTestId('stack-range-to').fill('20');
    await stack(page).getByTestId('stack-range-show').click();
    await expect(stack(page).getByTestId('stack-range')).toHaveText('· showing 11–20');
    await expect(page.locator('[data-testid="task-node"][data-task="add"]')).toHaveCount(10);
    // Members 11..20 are the tasks add(10, 1) … add(19, 1): select one and read its args in the inspector.
    await page.locator('[data-testid="task-node"][data-task="add"]').first().click();
    await expect(page.getByTestId('tab-inspector')).toBeVisible();
    await page.getByTestId('tab-inspector').click();
    await expect(page.getByTestId('inspector-args')).toHaveValue(/\[\s*10,\s*1\s*\]/);
    await page.getByTitle('Fit view (F)').click();
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await page.screenshot({ path: `${SHOTS}/stack-range-${theme}.png` });
    }
    await stack(page).getByTestId('stack-collapse').click();
    await expect(tasks(page)).toHaveCount(1);

    // The export is still the exact canvas: 1,000 members with their own args.
    await page.getByTestId('tab-code').click();
    const code = JSON.parse(await page.getByTestId('code-text').inputValue()) as {
      chord: { header: Array<{ args: number[] }> };
    };
    expect(code.chord.header).toHaveLength(1000);
    expect(code.chord.header[999]!.args).toEqual([999, 1]);
  });

  test('a 10,000-member chord opens as one stack and simulates: counts, durations, failed members first', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    // Every member fails with probability 2 % (seeded): some fail, the chord raises ChordError.
    await importCanvas(
      page,
      fanOut(10_000, {
        sim: { fail_probability: 0.02, duration_ms: { dist: 'uniform', min_ms: 50, max_ms: 400 } },
      }),
    );
    await expect(stack(page)).toHaveAttribute('data-count', '10000', { timeout: 30_000 });
    await expect(stack(page).getByTestId('stack-count')).toHaveText('×10,000');
    await page.getByTestId('sim-workers').fill('4');
    await page.getByTestId('sim-concurrency').fill('16');
    await page.getByTestId('sim-run').click();
    await expect(page.getByTestId('sim-summary')).toHaveAttribute('data-status', 'failure', {
      timeout: 60_000,
    });
    await page.getByTestId('sim-end').click();
    await expect(stack(page)).toHaveAttribute('data-done', '10000');
    const failed = Number(await stack(page).getAttribute('data-failed'));
    const succeeded = Number(await stack(page).getAttribute('data-succeeded'));
    expect(failed).toBeGreaterThan(0);
    expect(failed + succeeded).toBe(10_000);
    await expect(stack(page).locator('[data-state="failure"]')).toContainText(String(failed));
    await expect(stack(page).getByTestId('stack-histogram')).toBeVisible();
    // Failed members are listed first, in member order; a click draws that member with its state.
    const chip = stack(page).getByTestId('stack-failed-member').first();
    const label = (await chip.textContent()) ?? '';
    const index = Number(label.replace('#', ''));
    expect(index).toBeGreaterThan(0);
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      await page.screenshot({ path: `${SHOTS}/stack-sim-${theme}.png` });
    }
    await chip.click();
    await expect(stack(page).getByTestId('stack-range')).toHaveText(`· showing ${index}–${index}`);
    const member = page.locator('[data-testid="task-node"][data-task="add"]');
    await expect(member).toHaveCount(1);
    await expect(member).toHaveAttribute('data-state', 'FAILURE');
    // Replaying moves the counts back: at the start of the run nothing is done.
    await page.getByRole('button', { name: 'Jump to start' }).click();
    await expect(stack(page)).toHaveAttribute('data-done', '0');
  });
});

test.describe('stacks, live', () => {
  test('a 1,000-member chord runs on the cluster: the stack counts move, then the run page lists members', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    // Members sleep 10 ms, so the run lasts a few frames of the live view however fast the engine is
    // (1,000 no-op adds can finish between two throttled repaints).
    await importCanvas(page, {
      chord: {
        header: Array.from({ length: 1000 }, (_, i) => ({ task: 'delayed', args: [i], kwargs: { ms: 10 } })),
        body: { task: 'tsum' },
      },
    });
    await expect(stack(page)).toHaveAttribute('data-count', '1000');
    // Record every done-count the stack shows while the run streams in (the page's own observer, so
    // Playwright's polling cannot miss a value).
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { __done: Set<string> }).__done = seen;
      const observer = new MutationObserver(() => {
        const v = document.querySelector('[data-testid="stack-node"]')?.getAttribute('data-done');
        if (v != null) seen.add(v);
      });
      observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-done'] });
    });
    await page.getByTestId('run-button').click();
    await page.getByTestId('run-submit').click();
    const banner = page.getByTestId('live-run-banner');
    await expect(banner).toBeVisible();
    const runId = (await banner.getAttribute('data-run-id')) ?? '';
    await expect(banner).toHaveAttribute('data-finished', 'true', { timeout: 150_000 });
    await expect(stack(page)).toHaveAttribute('data-done', '1000');
    await expect(stack(page)).toHaveAttribute('data-succeeded', '1000');
    const seen = await page.evaluate(() =>
      [...(window as unknown as { __done: Set<string> }).__done].map(Number),
    );
    // The counts moved: some instant showed part of the header done.
    expect(seen.some((v) => v > 0 && v < 1000)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/stack-live-light.png` });

    await page.goto(`/runs/${runId}`);
    const runStack = page.getByTestId('run-stack');
    await expect(runStack.getByTestId('stack-node')).toHaveAttribute('data-succeeded', '1000');
    await expect(page.locator('[data-testid="run-node"]')).toHaveCount(1);
    await runStack.getByTestId('run-stack-members').click();
    await expect(runStack.getByTestId('run-stack-member').first()).toHaveAttribute('data-status', 'success');
    await runStack.getByTestId('run-stack-member').nth(2).click();
    await expect(page.getByTestId('task-drawer')).toHaveAttribute('data-task-id', 'task.header.2');
    // Timelines aggregate the same way: one lane for the 1,000 members.
    await expect(page.getByTestId('prediction-stack-lane')).toHaveCount(1);
    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate((t) => {
        document.documentElement.dataset.theme = t;
      }, theme);
      await page.screenshot({ path: `${SHOTS}/stack-run-page-${theme}.png` });
    }
  });
});
