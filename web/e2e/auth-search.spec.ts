import { expect, test } from '@playwright/test';
import { apiSignUp, checkA11y, screenshot, signUp } from './helpers';

test.use({ baseURL: process.env.YTM_WEB_URL });

test('repeated wrong passwords: RATE_LIMITED at the form, with the wait in words', async ({ page, request }) => {
  const user = await apiSignUp(request, 'Throttled');
  await page.goto('/signin');
  await page.getByLabel('Email').fill(user.email);
  const alert = page.getByRole('alert');
  let wrong = 0;
  // The resource service counts failures per account (SIGNIN_MAX_FAILURES_PER_ACCOUNT, 10 by default).
  for (; wrong < 30; wrong++) {
    await page.getByLabel('Password').fill(`not the password ${wrong}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(alert).toHaveText(/do not match|Too many attempts/);
    if ((await alert.textContent())?.startsWith('Too many attempts')) break;
  }
  expect(wrong).toBeGreaterThan(0);
  await expect(alert).toHaveText(/^Too many attempts\. Please wait \d+ (minutes?|seconds?) and try again\.$/);
  console.log(`[web-e2e] sign-in throttled after ${wrong} wrong passwords: “${await alert.textContent()}”`);
  // Even the right password waits now: the limit holds, and says so again.
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(alert).toHaveText(/^Too many attempts/);
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
  await screenshot(page, 'signin-rate-limited');
  await checkA11y(page, 'sign-in, rate limited');
});

test('search as you type: an earlier request is aborted when the query changes, and its answer never shows', async ({ page }) => {
  await signUp(page, 'Searcher');
  const held: string[] = [];
  const aborted: string[] = [];
  let releaseStale: () => void = () => undefined;
  const staleDone = new Promise<void>((r) => (releaseStale = r));
  // Hold the first query's request at the network until the second one has been answered.
  await page.route('**/graphql', async (route) => {
    const body = route.request().postDataJSON() as { operationName?: string; variables?: { query?: string } } | null;
    if (body?.operationName === 'Search' && body.variables?.query === 'slow') {
      held.push('slow');
      await expect(page.getByRole('option', { name: /Café Müller/ }).first()).toBeVisible();
      await route.continue().catch(() => undefined); // already aborted by the page
      releaseStale();
      return;
    }
    await route.continue();
  });
  page.on('requestfailed', (r) => {
    const body = r.postDataJSON() as { operationName?: string; variables?: { query?: string } } | null;
    if (body?.operationName === 'Search') aborted.push(`${body.variables?.query}: ${r.failure()?.errorText}`);
  });
  const box = page.getByRole('combobox', { name: 'Search tracks, albums and artists' });
  await box.fill('slow');
  await expect.poll(() => held).toEqual(['slow']);
  await box.fill('café');
  const list = page.getByRole('listbox', { name: 'Search results' });
  await expect(list.getByRole('option', { name: /Café Müller/ })).toBeVisible();
  await expect.poll(() => aborted).toEqual(['slow: net::ERR_ABORTED']);
  await staleDone;
  // The stale answer (if it had come) would list Slow Rivers; the newer results stay.
  await expect(list.getByRole('option', { name: /Café Müller/ })).toBeVisible();
  await expect(list.getByRole('option', { name: /Slow Rivers|River Song/ })).toHaveCount(0);
  await expect(box).toHaveValue('café');
});

test('sign-out the server did not get (offline, 5xx): the user is told, a reload stays signed out, and trying again ends the session', async ({ page }) => {
  await signUp(page, 'Leaving');
  // The server answers the sign-out with a 503: its session and the refresh cookie live on.
  await page.route('**/auth/signout', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"UNAVAILABLE"}}' }));
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('signing out did not complete on the server');
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
  // A reload does not sign back in with the cookie (it tries the sign-out again, refused again).
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
  await expect(alert).toContainText('did not complete');
  await expect(page.getByRole('heading', { name: 'Albums', level: 1 })).toBeHidden();
  // Back: "Try signing out again" ends the session; a reload finds none.
  await page.unroute('**/auth/signout');
  await alert.getByRole('button', { name: 'Try signing out again' }).click();
  await expect(alert).toBeHidden();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toBeVisible();
  await expect(page.getByRole('alert')).toBeHidden();
  const refresh = await page.request.post('/auth/refresh', { headers: { 'x-ytm-session': 'cookie' }, data: {} });
  expect(refresh.status()).toBe(401);
});
