import { expect, test } from '@playwright/test';
import { checkA11y, screenshot, signUp } from './helpers';

test.use({ baseURL: process.env.YTM_WEB_URL });

test('like → on the Liked page, newest first; the heart agrees everywhere; a failed like rolls back with a message', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signUp(page, 'Liker');
  await page.getByRole('link', { name: /^Night Drive by/ }).click();
  await expect(page.getByRole('heading', { name: 'Night Drive', level: 1 })).toBeVisible();

  await test.step('like two tracks on the album page', async () => {
    const neon = page.getByRole('button', { name: 'Like Neon Avenue' });
    await expect(neon).toHaveAttribute('aria-pressed', 'false');
    await neon.click();
    await expect(neon).toHaveAttribute('aria-pressed', 'true');
    await page.getByRole('button', { name: 'Like Tail Lights' }).click();
    await expect(page.getByRole('button', { name: 'Like Tail Lights' })).toHaveAttribute('aria-pressed', 'true');
  });

  await test.step('the Liked page lists them, newest like first', async () => {
    await page.getByRole('link', { name: 'Liked' }).click();
    await expect(page.getByRole('heading', { name: 'Liked', level: 1 })).toBeVisible();
    const rows = page.getByRole('region', { name: 'Liked tracks' }).locator('.track');
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toContainText('Tail Lights');
    await expect(rows.nth(1)).toContainText('Neon Avenue');
    await expect(page.getByText('2 liked tracks')).toBeVisible();
    await screenshot(page, 'liked');
    await checkA11y(page, 'liked');
  });

  await test.step('unliking on the Liked page takes it off the list and off the album page', async () => {
    await page.getByRole('button', { name: 'Like Tail Lights' }).click();
    const rows = page.getByRole('region', { name: 'Liked tracks' }).locator('.track');
    await expect(rows).toHaveCount(1);
    await page.goBack();
    await expect(page.getByRole('heading', { name: 'Night Drive', level: 1 })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Like Tail Lights' })).toHaveAttribute('aria-pressed', 'false');
    await expect(page.getByRole('button', { name: 'Like Neon Avenue' })).toHaveAttribute('aria-pressed', 'true');
  });

  await test.step('a like the server refuses is rolled back, and the user is told', async () => {
    await page.route('**/graphql', async (route) => {
      if (route.request().method() === 'POST' && (route.request().postData() ?? '').includes('mutation LikeTrack')) {
        await route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ data: null, errors: [{ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }),
        });
      } else await route.fallback();
    });
    const midnight = page.getByRole('button', { name: 'Like Midnight Static' });
    await midnight.click();
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText('Could not like “Midnight Static”');
    await expect(midnight).toHaveAttribute('aria-pressed', 'false');
    await page.unroute('**/graphql');
  });

  await test.step('after a reload the likes are still there (the server has them)', async () => {
    await page.goto('/liked');
    const rows = page.getByRole('region', { name: 'Liked tracks' }).locator('.track');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('Neon Avenue');
  });
  expect(errors).toEqual([]);
});
