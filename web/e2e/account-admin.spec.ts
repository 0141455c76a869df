import { expect, test, type Page } from '@playwright/test';
import { api, apiSignUp, apiToken, checkA11y, gql, PASSWORD, screenshot, signIn, signUp, waitForAudio } from './helpers';

test.use({ baseURL: process.env.YTM_WEB_URL });

const admin = () => ({ email: process.env.YTM_WEB_ADMIN_EMAIL!, password: process.env.YTM_WEB_ADMIN_PASSWORD! });

test('account: name, password, plan; the FREE quota is shown and QUOTA_EXCEEDED explained when reached; recently played', async ({ page }) => {
  const email = await signUp(page, 'Holder');
  const token = await apiToken(email);

  await test.step('recently played lists what was played', async () => {
    await page.getByRole('link', { name: /^Night Drive by/ }).click();
    await page.getByRole('button', { name: 'Play Neon Avenue' }).click();
    await waitForAudio(page, (a) => a.currentTime > 1);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('link', { name: 'Recently played' }).click();
    await expect(page.getByRole('heading', { name: 'Recently played', level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Recently played tracks' }).getByRole('button', { name: 'Play Neon Avenue' }).first()).toBeVisible();
  });

  await test.step('the account page shows plan and today’s quota', async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await expect(page.getByRole('heading', { name: 'Account', level: 1 })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Plan' })).toContainText('Free');
    await expect(page.getByRole('region', { name: 'Today’s plays' })).toContainText(/\d+ of 50 plays used today/);
  });

  await test.step('display name and password', async () => {
    const nameForm = page.getByRole('form', { name: 'Display name' });
    const sidebarName = page.getByRole('navigation', { name: 'Library' }).locator('.who .name');
    await expect(sidebarName).toHaveText('Holder');
    await nameForm.getByLabel('Name others see').fill('Holder Renamed');
    await nameForm.getByRole('button', { name: 'Save name' }).click();
    await expect(nameForm.getByText('Saved.')).toBeVisible();
    // The sidebar follows at once, without a reload: one `me` entity in the normalised cache.
    await expect(sidebarName).toHaveText('Holder Renamed');
    const pw = page.getByRole('form', { name: 'Password' });
    await pw.getByLabel('Current password').fill('not my password');
    await pw.getByLabel('New password').fill('another long password');
    await pw.getByRole('button', { name: 'Change password' }).click();
    await expect(pw.getByText(/The current password is not (right|correct)/)).toBeVisible();
    await pw.getByLabel('Current password').fill(PASSWORD);
    await pw.getByRole('button', { name: 'Change password' }).click();
    await expect(pw.getByText('Password changed.')).toBeVisible();
    await expect(apiToken(email, 'another long password')).resolves.toBeTruthy();
  });

  await test.step('at the limit, the page says what QUOTA_EXCEEDED means and when it ends', async () => {
    const t = await apiToken(email, 'another long password');
    const { me, tracks } = await api<{ me: { playbackQuota: { playsToday: number; dailyLimit: number } }; tracks: { edges: Array<{ node: { id: string } }> } }>(
      t,
      '{ me { playbackQuota { playsToday dailyLimit } } tracks(first: 1) { edges { node { id } } } }',
    );
    for (let i = me.playbackQuota.playsToday; i < me.playbackQuota.dailyLimit; i++) {
      await api(t, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id: tracks.edges[0]!.node.id });
    }
    await page.reload();
    const quota = page.getByRole('region', { name: 'Today’s plays' });
    await expect(quota).toContainText(`${me.playbackQuota.dailyLimit} of ${me.playbackQuota.dailyLimit} plays used today`);
    await expect(quota.getByRole('alert')).toContainText('QUOTA_EXCEEDED');
    await expect(quota.getByRole('alert')).toContainText('until the count resets at 00:00 UTC');
    await screenshot(page, 'account-quota');
    await checkA11y(page, 'account at the quota');
  });
  expect(token).toBeTruthy();
});

test('apps and API keys: create one in the account page, the Subsonic API takes its secret, revoke it and it is refused (44)', async ({ page, request }) => {
  await signUp(page, 'Keyholder');
  await page.getByRole('link', { name: 'Account' }).click();
  const keys = page.getByRole('region', { name: 'Apps and API keys' });
  await expect(keys.getByText('You have no API keys yet.')).toBeVisible();

  /** Subsonic's ping with the key, through the app's own origin (the router serving the page). */
  const ping = async (secret: string) => {
    const res = await request.get(`/rest/ping?apiKey=${encodeURIComponent(secret)}&f=json&v=1.16.1&c=e2e`);
    const body = (await res.json()) as { 'subsonic-response': { status: string; error?: { code: number } } };
    return body['subsonic-response'];
  };

  const form = keys.getByRole('form', { name: 'New API key' });
  let secret = '';
  await test.step('an empty or blank name is refused in words; a named key shows its secret once, with the server address', async () => {
    await form.getByRole('button', { name: 'Create key' }).click();
    await expect(form.getByLabel('Name of the new key')).toBeFocused();
    // Only spaces: the server refuses it (BAD_USER_INPUT) and the page says why; nothing is created.
    await form.getByLabel('Name of the new key').fill('   ');
    await form.getByRole('button', { name: 'Create key' }).click();
    await expect(form.getByText('Could not create the key: The name must be 1 to 100 characters.')).toBeVisible();
    await expect(keys.getByText('You have no API keys yet.')).toBeVisible();
    await form.getByLabel('Name of the new key').fill('Phone app');
    await form.getByLabel('Name of the new key').press('Enter');
    const shown = keys.getByRole('group', { name: 'Your new key “Phone app”' });
    await expect(shown).toBeVisible();
    await expect(shown.getByRole('heading', { name: 'Your new key “Phone app”' })).toBeFocused();
    await expect(shown).toContainText('shown only once');
    await expect(shown).toContainText(new URL(process.env.YTM_WEB_URL!).origin);
    secret = await shown.getByLabel('API key').inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(22);
    await expect(shown.getByRole('button', { name: 'Copy key' })).toBeEnabled();
    // The list follows from the mutation's answer (the cache), before any reload.
    await expect(keys.getByRole('list', { name: 'Your API keys' }).getByRole('listitem')).toHaveCount(1);
    await expect(keys.getByRole('listitem').filter({ hasText: 'Phone app' })).toContainText('never used');
    await checkA11y(page, 'account with a new API key');
    await screenshot(page, 'account-api-key');
    await shown.getByRole('button', { name: 'Done, I saved it' }).click();
    await expect(shown).toHaveCount(0);
    await expect(form.getByLabel('Name of the new key')).toBeFocused();
  });

  await test.step('the Subsonic API accepts the secret through the app’s origin', async () => {
    expect(await ping(secret)).toMatchObject({ status: 'ok' });
  });

  await test.step('revoking asks first; Keep it changes nothing; Revoke removes it and the key is refused within a second', async () => {
    const row = keys.getByRole('listitem').filter({ hasText: 'Phone app' });
    await row.getByRole('button', { name: 'Revoke Phone app' }).click();
    const confirm = row.getByRole('group', { name: 'Confirm revoking Phone app' });
    await expect(confirm.getByRole('button', { name: 'Keep it' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(confirm).toHaveCount(0);
    await expect(row.getByRole('button', { name: 'Revoke Phone app' })).toBeFocused();
    expect(await ping(secret)).toMatchObject({ status: 'ok' });
    await row.getByRole('button', { name: 'Revoke Phone app' }).click();
    const answered = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('revokeApiKey'));
    await confirm.getByRole('button', { name: 'Revoke', exact: true }).click();
    await answered;
    const t0 = Date.now();
    // Revocation takes effect within 1 s (a little slack for a loaded test machine).
    await expect.poll(async () => (await ping(secret)).error?.code, { timeout: 2_500, intervals: [50, 100, 100, 200] }).toBe(44);
    test.info().annotations.push({ type: 'refused after revoke', description: `${Date.now() - t0} ms` });
    await expect(row).toHaveCount(0);
    await expect(keys.getByText('You have no API keys yet.')).toBeVisible();
    expect(await ping(secret)).toMatchObject({ status: 'failed', error: { code: 44 } });
  });

  await test.step('after a reload the list is still empty (the server agrees)', async () => {
    await page.reload();
    await expect(page.getByRole('region', { name: 'Apps and API keys' }).getByText('You have no API keys yet.')).toBeVisible();
  });
});

test('admin: the scan bar moves during a full rescan, statistics, and a user’s plan and expiry', async ({ page }) => {
  await signIn(page, admin());
  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Administration', level: 1 })).toBeVisible();
  const stats = page.getByRole('region', { name: 'Library statistics' });
  await expect(stats).toContainText('Tracks');
  await expect(stats.locator('dd').first()).toHaveText(String(Number(process.env.YTM_WEB_TRACKS)));
  const bar = page.getByRole('progressbar', { name: 'Scan progress' });
  await expect(bar).toHaveAttribute('data-state', 'IDLE');

  await test.step('full rescan: RUNNING with progress, then IDLE at 100 %', async () => {
    // Every state the bar shows is recorded in the page (a MutationObserver), so a quick scan is seen too.
    await page.getByRole('region', { name: 'Library scan' }).evaluate((section) => {
      const seen: string[] = [];
      (window as unknown as { scanSeen: string[] }).scanSeen = seen;
      new MutationObserver(() => {
        const el = section.querySelector('[role="progressbar"]');
        const now = `${el?.getAttribute('data-state')}:${el?.getAttribute('aria-valuenow')}`;
        if (seen.at(-1) !== now) seen.push(now);
      }).observe(section, { attributes: true, subtree: true, childList: true });
    });
    await page.getByRole('button', { name: 'Full rescan' }).click();
    const seen = () => page.evaluate(() => (window as unknown as { scanSeen: string[] }).scanSeen);
    // The bar shows the scan running, then done: the last state is IDLE at 100 % after a RUNNING one.
    await expect.poll(async () => (await seen()).some((x) => x.startsWith('RUNNING:'))).toBe(true);
    await expect.poll(async () => (await seen()).at(-1)).toBe('IDLE:100');
    await expect(page.getByTestId('scan-state')).toContainText('Idle · started');
    test.info().annotations.push({ type: 'scan bar states', description: (await seen()).join(' → ') });
  });

  await test.step('the users page: search by email or name, set PREMIUM until a date; the user then has no daily limit', async () => {
    const stamp = Date.now().toString(36);
    const listener = `plan-${stamp}@example.com`;
    const r = await fetch(`${process.env.YTM_WEB_URL}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: listener, password: PASSWORD, displayName: `Planned ${stamp}` }),
    });
    const { accessToken } = (await r.json()) as { accessToken: string; user: { id: string } };
    const users = page.getByRole('region', { name: 'Users and plans' });
    const table = users.getByRole('table', { name: 'Users' });
    // Everyone is listed (the administrator among them) before any search.
    await expect(table.getByRole('row').filter({ hasText: admin().email })).toHaveCount(1);
    await users.getByLabel('Search users by email or name').fill(`PLAN-${stamp.toUpperCase()}`);
    await expect(users.getByText(`1 user matching “PLAN-${stamp.toUpperCase()}”`)).toBeVisible();
    await expect(table.getByRole('row')).toHaveCount(2);
    await users.getByLabel('Search users by email or name').fill(`planned ${stamp}`);
    const row = table.getByRole('row').filter({ hasText: listener });
    await expect(row).toContainText('Free');
    await row.getByRole('button', { name: `Change the plan of Planned ${stamp}` }).click();
    const form = users.getByRole('form', { name: `Plan of Planned ${stamp}` });
    await form.getByRole('combobox', { name: /^Plan/ }).selectOption('PREMIUM');
    await form.getByLabel(/^Expires on/).fill('2030-12-31');
    await form.getByRole('button', { name: 'Save plan' }).click();
    await expect(form.getByText('Plan saved.')).toBeVisible();
    await expect(form).toContainText('now Premium until 2030-12-31');
    // The list shows it too: the answer updated the one User entity in the cache.
    await expect(row).toContainText('Premium until 2030-12-31');
    await screenshot(page, 'admin-users');
    // The plan travels in the access token: the user's next token (a new sign-in or refresh) carries it.
    expect(accessToken).toBeTruthy();
    const { me } = await api<{ me: { plan: { tier: string; expiresAt: string }; playbackQuota: { dailyLimit: number | null } } }>(
      await apiToken(listener),
      '{ me { plan { tier expiresAt } playbackQuota { dailyLimit } } }',
    );
    expect(me.plan.tier).toBe('PREMIUM');
    expect(me.plan.expiresAt.slice(0, 10)).toBe('2030-12-31');
    expect(me.playbackQuota.dailyLimit).toBeNull();
  });
});

test('the users list is for administrators only: FORBIDDEN through the router, and the admin page is closed to a listener', async ({ page, request }) => {
  const listener = await apiSignUp(request, 'Curious');
  const asListener = await gql<{ users: unknown }>(request, listener.token, '{ users(first: 5) { totalCount edges { node { id email } } } }');
  expect(asListener.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(asListener.data?.users ?? null).toBeNull();
  const searching = await gql<{ users: unknown }>(request, listener.token, '{ users(search: "admin") { totalCount } }');
  expect(searching.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const asAdmin = await gql<{ users: { totalCount: number } }>(
    request,
    await apiToken(admin().email, admin().password),
    '{ users(search: "admin@ytm.test") { totalCount } }',
  );
  expect(asAdmin.data?.users.totalCount).toBe(1);
  await signIn(page, listener);
  await page.goto('/admin');
  await expect(page.getByRole('heading', { name: 'Administrators only' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Users and plans' })).toHaveCount(0);
});

test('the collection and admin pages at desktop and phone width, light and dark: screenshots and axe-core', async ({ page }) => {
  await signIn(page, admin());
  // Something on every page: a like, a playlist with tracks, a play.
  await page.getByRole('link', { name: /^Café Müller by/ }).click();
  await page.getByRole('button', { name: 'Like Élan' }).click();
  await page.getByRole('button', { name: 'Play Élan' }).first().click();
  await waitForAudio(page, (a) => a.currentTime > 0.5);
  await page.getByRole('button', { name: 'Pause' }).click();
  const token = await apiToken(admin().email, admin().password);
  const { createPlaylist } = await api<{ createPlaylist: { id: string } }>(
    token,
    'mutation { createPlaylist(input: { name: "Shots", description: "For the screenshots", visibility: PUBLIC }) { id } }',
  );
  const { tracks } = await api<{ tracks: { edges: Array<{ node: { id: string } }> } }>(token, '{ tracks(first: 4) { edges { node { id } } } }');
  await api(token, 'mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t) { id } }', {
    id: createPlaylist.id,
    t: tracks.edges.map((e) => e.node.id),
  });
  const pages: Array<[string, string, string]> = [
    ['liked', '/liked', 'Liked'],
    ['playlists', '/lists', 'Playlists'],
    ['playlist', `/playlist/${createPlaylist.id}`, 'Shots'],
    ['history', '/history', 'Recently played'],
    ['account', '/account', 'Account'],
    ['admin', '/admin', 'Administration'],
  ];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of [
      { width: 1280, height: 800 },
      { width: 360, height: 740 },
    ]) {
      await page.setViewportSize(size);
      for (const [name, path, heading] of pages) {
        await open(page, path, heading);
        await screenshot(page, `${name}-${scheme}`);
        await checkA11y(page, `${name} (${size.width} px, ${scheme})`);
      }
    }
  }
});

async function open(page: Page, path: string, heading: string) {
  await page.goto(path);
  await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
  await page.waitForLoadState('networkidle');
}
