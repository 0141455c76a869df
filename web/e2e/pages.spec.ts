import { expect, test, type Page } from '@playwright/test';
import { checkA11y, screenshot, signUp, waitForAudio } from './helpers';

test.use({ baseURL: process.env.YTM_WEB_URL });

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 360, height: 740 },
];

/** Every page at desktop and phone width, light and dark: a screenshot and an axe-core check. */
for (const scheme of ['light', 'dark'] as const) {
  test(`every page, desktop and phone, ${scheme}: screenshots and axe-core`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const pages: Array<[string, (p: Page) => Promise<void>]> = [
      ['albums', async (p) => void (await p.goto('/'))],
      [
        'album',
        async (p) => {
          await p.goto('/');
          await p.getByRole('link', { name: /^Night Drive by/ }).click();
          await expect(p.getByRole('heading', { name: 'Night Drive', level: 1 })).toBeVisible();
        },
      ],
      ['artists', async (p) => void (await p.goto('/artists'))],
      [
        'artist',
        async (p) => {
          await p.goto('/artists');
          await p.getByRole('link', { name: 'Aurora Lane' }).first().click();
          await expect(p.getByRole('heading', { name: 'Aurora Lane', level: 1 })).toBeVisible();
          await expect(p.getByRole('heading', { name: 'Top tracks' })).toBeVisible();
        },
      ],
      [
        'tracks',
        async (p) => {
          await p.goto('/tracks');
          await expect(p.locator('.virtual .track').first()).toBeVisible();
        },
      ],
      [
        'search',
        async (p) => {
          await p.goto('/search?q=aurora');
          await expect(p.getByRole('heading', { name: 'Tracks' })).toBeVisible();
        },
      ],
      ['queue', async (p) => void (await p.goto('/queue'))],
    ];
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/signup');
    await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
    for (const w of WIDTHS) {
      await page.setViewportSize(w);
      await screenshot(page, `signup-${scheme}`);
      await checkA11y(page, `sign-up (${w.name}, ${scheme})`);
    }
    await page.goto('/signin');
    for (const w of WIDTHS) {
      await page.setViewportSize(w);
      await screenshot(page, `signin-${scheme}`);
      await checkA11y(page, `sign-in (${w.name}, ${scheme})`);
    }
    await page.setViewportSize(WIDTHS[0]!);
    await signUp(page, `Looker${scheme}`);
    // Something in the player bar, so it is checked too.
    await page.getByRole('link', { name: /^Slow Rivers by/ }).click();
    await page.getByRole('button', { name: 'Play Slow Rivers' }).click();
    await waitForAudio(page, (a) => a.currentTime > 0.5);
    await page.getByRole('button', { name: 'Pause' }).click();
    for (const w of WIDTHS) {
      await page.setViewportSize(w);
      for (const [name, open] of pages) {
        await open(page);
        await expect(page.locator('main')).toBeVisible();
        await page.waitForLoadState('networkidle');
        await screenshot(page, `${name}-${scheme}`);
        await checkA11y(page, `${name} (${w.name}, ${scheme})`);
      }
    }
  });
}

test('a page that cannot be shown never blanks the app: a malformed URL is not found; a page whose code is gone offers a reload while the music plays on', async ({
  page,
}) => {
  // The Tracks page's chunk is gone, as after a server upgrade renamed it (preloading it fails too).
  await page.route(/\/assets\/TracksPage-[^/]+\.js$/, (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await signUp(page, 'Upgraded');
  await page.getByRole('link', { name: /^Night Drive by/ }).click();
  await page.getByRole('button', { name: 'Play Night Drive' }).click();
  await waitForAudio(page, (a) => a.currentTime > 0.5 && !a.paused);

  await page.getByRole('link', { name: 'Tracks' }).first().click();
  const failed = page.getByRole('main').getByRole('alert');
  await expect(failed).toContainText('YTM has been updated');
  await expect(failed.getByRole('button', { name: 'Reload' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Player' })).toBeVisible();
  const at = (await waitForAudio(page, (a) => !a.paused)).currentTime;
  await waitForAudio(page, (a) => !a.paused && a.currentTime > at + 0.5); // still playing

  // The rest of the app still works.
  await page.getByRole('link', { name: 'Artists' }).first().click();
  await expect(page.getByRole('heading', { name: 'Artists', level: 1 })).toBeVisible();

  // `/albums/%` cannot be decoded: "not here", not a white page (and the music goes on).
  await page.evaluate(() => {
    history.pushState(null, '', '/albums/%');
    dispatchEvent(new PopStateEvent('popstate'));
  });
  await expect(page.getByRole('heading', { name: 'This page is not here' })).toBeVisible();
  await waitForAudio(page, (a) => !a.paused);
});
