/**
 * A run that vanishes while its page is open (Redis restarted without its data, retention) must not stay
 * "progress · live" forever: the socket stays up, so the quiet view asks again and shows it is gone.
 */
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';

test('a run that vanishes while watched turns into the not-found state', async ({ page }) => {
  test.setTimeout(90_000);
  const res = await page.request.post('/api/workflows', {
    data: { canvas: { task: 'delayed', args: [1], kwargs: { ms: 45_000 } } },
  });
  expect(res.status()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await page.goto(`/runs/${id}`);
  await expect(page.getByTestId('run-detail')).toHaveAttribute('data-finished', 'false');
  await expect(page.getByTestId('live-status')).toContainText('live');

  // What a Redis restarted without persistence leaves of the run: nothing (the server itself stays up).
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const prefix = process.env.CHORDFLOW_PREFIX ?? '{chordflow}';
    const keys = await redis.keys(`${prefix}:run:${id}*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
  await expect(page.getByTestId('run-not-found')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('run-not-found')).toContainText(id);
});
