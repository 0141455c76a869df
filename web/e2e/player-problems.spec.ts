import { expect, test } from '@playwright/test';
import { apiSignUp, audioState, checkA11y, gql, playAlbum, problem, screenshot, signIn, signUp, waitForAudio } from './helpers';

test.use({ baseURL: process.env.YTM_WEB_URL });

// The player's failure states against the real system: none may leave it stuck.

test('QUOTA_EXCEEDED: the daily limit is said in words, and the player stays usable', async ({ page, request }) => {
  const user = await apiSignUp(request, 'Quota');
  // Spend the FREE plan's plays of today through the API, as another client of this account would.
  const q = await gql<{ me: { playbackQuota: { tier: string; dailyLimit: number | null } }; tracks: { edges: Array<{ node: { id: string } }> } }>(
    request,
    user.token,
    '{ me { playbackQuota { tier dailyLimit } } tracks(first: 1) { edges { node { id } } } }',
  );
  const { tier, dailyLimit } = q.data!.me.playbackQuota;
  expect(tier).toBe('FREE');
  expect(dailyLimit).toBeGreaterThan(0);
  const trackId = q.data!.tracks.edges[0]!.node.id;
  for (let i = 0; i < dailyLimit!; i++) {
    const r = await gql(request, user.token, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id: trackId });
    expect(r.errors, `play ${i + 1} of ${dailyLimit}`).toBeUndefined();
  }
  const over = await gql(request, user.token, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id: trackId });
  expect(over.errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');

  await signIn(page, user);
  await playAlbum(page, 'Night Drive');
  await expect(problem(page)).toHaveText('You have reached today’s play limit on your plan. It resets at midnight (UTC).');
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeEnabled();
  expect(await audioState(page)).toMatchObject({ paused: true, src: '', error: null });
  await screenshot(page, 'player-quota');
  await checkA11y(page, 'player with the quota message');
  // Not stuck: play asks again and says the same; next moves on and says the same; pages still work.
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect(problem(page)).toContainText('play limit');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('now-title')).toHaveText('Midnight Static');
  await expect(problem(page)).toContainText('play limit');
  await page.getByRole('link', { name: 'Artists' }).first().click();
  await expect(page.getByRole('heading', { name: 'Artists', level: 1 })).toBeVisible();
});

test('another device takes the stream over: "Playing on another device", and "Play here" takes it back', async ({ browser, request }) => {
  const user = await apiSignUp(request, 'TwoDevices');
  const devices = await Promise.all([0, 1].map(() => browser.newContext({ baseURL: process.env.YTM_WEB_URL })));
  const [laptop, phone] = await Promise.all(devices.map((d) => d.newPage()));
  try {
    await signIn(laptop!, user);
    await playAlbum(laptop!, 'Night Drive');
    await waitForAudio(laptop!, (a) => a.currentTime > 1 && !a.paused);

    // The FREE plan allows one stream: the phone's ticket revokes the laptop's.
    await signIn(phone!, user);
    await playAlbum(phone!, 'Slow Rivers');
    await waitForAudio(phone!, (a) => a.currentTime > 1 && !a.paused);
    await expect(problem(laptop!)).toHaveText(/Playing on another device\. Press play to listen here\./, { timeout: 25_000 });
    await waitForAudio(laptop!, (a) => a.paused);
    await expect(problem(phone!)).toBeHidden();
    await screenshot(laptop!, 'player-elsewhere');

    // Back to the laptop, where it stopped; now the phone is told.
    const at = (await audioState(laptop!)).currentTime;
    await laptop!.getByRole('button', { name: 'Play here' }).click();
    await expect(problem(laptop!)).toBeHidden();
    await waitForAudio(laptop!, (a) => !a.paused && a.currentTime > at + 0.5);
    expect((await audioState(laptop!)).currentTime).toBeLessThan(at + 15); // resumed there, not from the start
    await expect(problem(phone!)).toHaveText(/Playing on another device/, { timeout: 25_000 });
    await waitForAudio(phone!, (a) => a.paused);
  } finally {
    await Promise.all(devices.map((d) => d.close()));
  }
});

test('network loss: "Connection lost" while offline, and playback recovers by itself', async ({ page, context }) => {
  await signUp(page, 'Offline');
  await playAlbum(page, 'Night Drive');
  await waitForAudio(page, (a) => a.currentTime > 1 && !a.paused);
  await context.setOffline(true);
  // The next track needs a ticket from the server: it cannot come.
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('now-title')).toHaveText('Midnight Static');
  await expect(problem(page)).toHaveText('Connection lost. Playback resumes when you are back online.');
  await screenshot(page, 'player-offline');
  await context.setOffline(false);
  await expect(problem(page)).toBeHidden();
  const s = await waitForAudio(page, (a) => !a.paused && a.currentTime > 1);
  expect(s.src).toMatch(/\/stream\//);
  expect(await page.getByRole('button', { name: 'Pause' })).toBeVisible();
});
