import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { api, apiToken, PASSWORD, signIn, signUp, waitForAudio } from './helpers';

test.use({ baseURL: process.env.YTM_WEB_URL });

const entries = (page: Page): Locator => page.getByRole('list', { name: 'Playlist entries' }).locator('li.track');
const titles = async (page: Page) => (await entries(page).locator('.t-title').allTextContents()).map((t) => t.trim());
const notices = (page: Page) => page.getByRole('status', { name: 'Notifications' });

/** The spec's bound: an edit in one browser shows in another within a second. */
const LIVE_BOUND_MS = 1_000;

/**
 * Watches `page`'s DOM (a MutationObserver, so no poll interval adds to the number) and records
 * the wall-clock time at which `state` first shows: the playlist's entries in `order`, or the
 * "not available" page. Browser and test run on one machine, so their clocks agree.
 */
async function watchFor(page: Page, key: string, state: { order: string[] } | { gone: true }): Promise<void> {
  await page.evaluate(
    ({ key, state }) => {
      const w = window as unknown as { liveSeen?: Record<string, number> };
      const seen = (w.liveSeen ??= {});
      const holds = () => {
        if ('gone' in state) return [...document.querySelectorAll('h2')].some((h) => h.textContent === 'This playlist is not available');
        const titles = [...document.querySelectorAll('[aria-label="Playlist entries"] li.track .t-title')].map((t) => t.textContent?.trim());
        return JSON.stringify(titles) === JSON.stringify(state.order);
      };
      const observer = new MutationObserver(() => {
        if (!holds()) return;
        seen[key] ??= Date.now();
        observer.disconnect();
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    },
    { key, state },
  );
}

/** When `watchFor`'s state showed (waits for it). */
async function seenAt(page: Page, key: string): Promise<number> {
  let at: number | null = null;
  await expect
    .poll(async () => (at = await page.evaluate((k) => (window as unknown as { liveSeen?: Record<string, number> }).liveSeen?.[k] ?? null, key)))
    .not.toBeNull();
  return at!;
}

/** The wall-clock time the browser had the whole answer of `operation` (a mutation sent by the app). */
async function answeredAt(page: Page, operation: string, act: () => Promise<void>): Promise<number> {
  const answered = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes(`mutation ${operation}`));
  await act();
  const response = await answered;
  expect(response.status()).toBe(200);
  await response.finished();
  const t = response.request().timing();
  return t.startTime + t.responseEnd;
}

/** Records a latency as an annotation (and on the console for the run's log) and asserts the bound. */
function latency(what: string, ms: number): void {
  test.info().annotations.push({ type: 'live latency', description: `${what}: ${ms.toFixed(0)} ms` });
  console.log(`[live latency] ${what}: ${ms.toFixed(0)} ms`);
  expect(ms, what).toBeLessThan(LIVE_BOUND_MS);
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: process.env.YTM_WEB_URL });
  return context.newPage();
}

async function trackIds(token: string): Promise<(title: string) => string> {
  const { tracks } = await api<{ tracks: { edges: Array<{ node: { id: string; title: string } }> } }>(
    token,
    '{ tracks(first: 100) { edges { node { id title } } } }',
  );
  return (title) => tracks.edges.find((e) => e.node.title === title)!.node.id;
}

test('one playlist in three browsers: edits appear live in the others; a listener opens it by link and plays it, read-only; turned private, it leaves their screen', async ({
  page,
  browser,
}) => {
  const email = await signUp(page, 'Owner');
  const token = await apiToken(email);
  const idOf = await trackIds(token);
  const { createPlaylist } = await api<{ createPlaylist: { id: string } }>(
    token,
    'mutation { createPlaylist(input: { name: "Shared Mix", visibility: PUBLIC }) { id } }',
  );
  const id = createPlaylist.id;
  await api(token, 'mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t) { id } }', {
    id,
    t: [idOf('Neon Avenue'), idOf('River Song'), idOf('Élan')],
  });
  await page.goto(`/playlist/${id}`);
  await expect(entries(page)).toHaveCount(3);

  // The owner again, in a second browser; a listener in a third.
  const second = await newPage(browser);
  await signIn(second, { email, password: PASSWORD });
  await second.goto(`/playlist/${id}`);
  await expect(entries(second)).toHaveCount(3);
  const listener = await newPage(browser);
  await signUp(listener, 'Listener');
  await listener.goto(`/playlist/${id}`);
  await expect(listener.getByRole('heading', { name: 'Shared Mix', level: 1 })).toBeVisible();
  await expect(listener.getByText('you can play it, not change it')).toBeVisible();
  await expect(listener.getByRole('button', { name: 'Delete playlist' })).toHaveCount(0);
  await expect(listener.getByRole('button', { name: /^Move / })).toHaveCount(0);

  await test.step('a move in one browser shows in the other two within a second of its answer, without a reload', async () => {
    const order = ['Neon Avenue', 'Élan', 'River Song'];
    await watchFor(second, 'moved', { order });
    await watchFor(listener, 'moved', { order });
    await page.getByRole('button', { name: /^Move Élan, entry 3 of 3/ }).focus();
    const answered = await answeredAt(page, 'MovePlaylistItem', () => page.keyboard.press('ArrowUp'));
    latency('move: answer in the first browser → the owner’s second browser', (await seenAt(second, 'moved')) - answered);
    latency('move: answer in the first browser → the listener’s browser', (await seenAt(listener, 'moved')) - answered);
    expect(await titles(listener)).toEqual(order);
  });

  await test.step('a removal in the second browser shows in the first within a second', async () => {
    const order = ['Neon Avenue', 'Élan'];
    await watchFor(page, 'removed', { order });
    await watchFor(listener, 'removed', { order });
    const answered = await answeredAt(second, 'RemovePlaylistItems', () =>
      second.getByRole('button', { name: 'Remove River Song from the playlist, entry 3' }).click(),
    );
    latency('removal: answer in the second browser → the first', (await seenAt(page, 'removed')) - answered);
    latency('removal: answer in the second browser → the listener’s', (await seenAt(listener, 'removed')) - answered);
    expect(await titles(page)).toEqual(order);
  });

  await test.step('the listener plays it', async () => {
    await listener.getByRole('button', { name: 'Play Shared Mix' }).click();
    await expect(listener.getByTestId('now-title')).toHaveText('Neon Avenue');
    await waitForAudio(listener, (a) => a.currentTime > 0.5);
  });

  await test.step('made private, it disappears from the listener’s screen within a second', async () => {
    await watchFor(listener, 'gone', { gone: true });
    const answered = await answeredAt(page, 'UpdatePlaylist', () => page.getByRole('switch', { name: 'Public' }).click());
    await expect(page.getByRole('switch', { name: 'Public' })).not.toBeChecked();
    latency('made private: answer in the owner’s browser → gone from the listener’s', (await seenAt(listener, 'gone')) - answered);
    await expect(listener.getByRole('heading', { name: 'This playlist is not available' })).toBeVisible();
    await expect(listener.getByText('It was deleted or made private by its owner.')).toBeVisible();
    await expect(second.getByText('Private playlist')).toBeVisible();
  });
  await second.context().close();
  await listener.context().close();
});

test('a file copied into the music folder appears in the open Tracks page; removed, it vanishes and leaves the queue with a notice', async ({ page }) => {
  const music = process.env.YTM_WEB_MUSIC!;
  const total = Number(process.env.YTM_WEB_TRACKS);
  await signUp(page, 'Watcher');
  await page.goto('/tracks');
  await expect(page.getByText(`${total} tracks`)).toBeVisible();
  const staging = mkdtempSync(join(tmpdir(), 'ytm-web-new-'));
  const made = join(staging, 'fresh.mp3');
  const r = spawnSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=20:sample_rate=22050'],
    ...['-c:a', 'libmp3lame', '-b:a', '48k', '-ac', '1', '-id3v2_version', '3'],
    ...['-metadata', 'title=Fresh Arrival', '-metadata', 'artist=Newcomer', '-metadata', 'album=Debut', made],
  ]);
  expect(r.status).toBe(0);
  const dir = join(music, 'Newcomer', 'Debut');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '01 Fresh Arrival.mp3');
  try {
    renameSync(made, file);
    await expect(page.getByText(`${total + 1} tracks`)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Play Fresh Arrival' }).first()).toBeVisible();
    await page.getByRole('button', { name: 'More for Fresh Arrival' }).click();
    await page.getByRole('button', { name: 'Add to queue' }).click();
    await expect(page.getByTestId('now-title')).toHaveText('Fresh Arrival');
  } finally {
    rmSync(file, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
  await expect(page.getByText(`${total} tracks`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Play Fresh Arrival' })).toHaveCount(0);
  await expect(notices(page)).toContainText('“Fresh Arrival” was removed from the library and taken out of the queue.');
  await page.goto('/queue');
  await expect(page.getByText('Fresh Arrival')).toHaveCount(0);
});

test('the live socket comes back after a network drop and after a router restart, and catches up on what it missed', async ({ page }) => {
  const email = await signUp(page, 'Reconnector');
  const token = await apiToken(email);
  const idOf = await trackIds(token);
  const { createPlaylist } = await api<{ createPlaylist: { id: string } }>(token, 'mutation { createPlaylist(input: { name: "Resilient" }) { id } }');
  const id = createPlaylist.id;
  const add = (title: string) => api(token, 'mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t) { id } }', { id, t: [idOf(title)] });
  await page.goto(`/playlist/${id}`);
  const connection = page.locator('[data-live]');
  await expect(connection).toHaveAttribute('data-live', 'open');

  await test.step('network drop: the socket is cut and new ones refused; a change made meanwhile shows after the reconnect', async () => {
    let allow = false;
    let cut: (() => void) | undefined;
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (!allow) {
        if (cut) return void ws.close({ code: 4000, reason: 'offline' }).catch(() => undefined);
      }
      const server = ws.connectToServer();
      cut = () => {
        void ws.close({ code: 4000, reason: 'network drop' }).catch(() => undefined);
        void server.close().catch(() => undefined);
      };
    });
    // The route applies to new sockets: reload so the page's socket goes through it.
    await page.reload();
    await expect(connection).toHaveAttribute('data-live', 'open');
    cut!();
    await expect(page.getByText('Live updates interrupted: reconnecting…')).toBeVisible();
    await add('Neon Avenue');
    allow = true;
    await expect(connection).toHaveAttribute('data-live', 'open', { timeout: 30_000 });
    await expect.poll(() => titles(page)).toEqual(['Neon Avenue']);
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  });

  await test.step('router restart: it reconnects, resubscribes (a later change arrives live) and refetches', async () => {
    await page.reload();
    await expect(connection).toHaveAttribute('data-live', 'open');
    const restarted = fetch(`${process.env.YTM_WEB_CONTROL}/router/restart`, { method: 'POST' });
    await expect(connection).not.toHaveAttribute('data-live', 'open');
    expect((await restarted).status).toBe(200);
    await expect(connection).toHaveAttribute('data-live', 'open', { timeout: 30_000 });
    await add('Tail Lights');
    await expect.poll(() => titles(page)).toEqual(['Neon Avenue', 'Tail Lights']);
  });
});

/** Restarts ytm-resource with extra environment for that run (empty: as the system started). */
async function restartResource(env: Record<string, string>): Promise<void> {
  const r = await fetch(`${process.env.YTM_WEB_CONTROL}/resource/restart`, { method: 'POST', body: JSON.stringify(env) });
  expect(r.status, await r.text()).toBe(200);
  // Through the router again: a sign-in with a wrong password answers 401 (not 502/503) once resource is reachable.
  await expect
    .poll(
      async () =>
        (
          await fetch(`${process.env.YTM_WEB_URL}/auth/signin`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'nobody@example.com', password: 'not a password' }),
          })
        ).status,
      { timeout: 30_000 },
    )
    .toBe(401);
}

test('an access token expiring under the open socket: the router closes it with 4401, the app reconnects with a fresh token and the subscription goes on delivering', async ({
  page,
}) => {
  // Access tokens of 20 s (ACCESS_TOKEN_TTL_SECONDS) for this test only: the router closes a
  // socket with 4401 when the token it was opened with expires.
  const ttlSeconds = 20;
  await restartResource({ ACCESS_TOKEN_TTL_SECONDS: String(ttlSeconds) });
  try {
    // Every close of the page's WebSockets with its code, seen from inside the page (the app's
    // sockets are the browser's own, to the real router; this only listens).
    await page.addInitScript(() => {
      const closes: Array<{ code: number; at: number }> = [];
      const w = window as unknown as { wsCloses: typeof closes; WebSocket: typeof WebSocket };
      w.wsCloses = closes;
      const Native = w.WebSocket;
      w.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          this.addEventListener('close', (e) => closes.push({ code: e.code, at: Date.now() }));
        }
      };
    });
    const closes = () => page.evaluate(() => (window as unknown as { wsCloses: Array<{ code: number; at: number }> }).wsCloses);
    const email = await signUp(page, 'Expiring');
    const idOf = await trackIds(await apiToken(email));
    // Each call signs in anew: the test's own tokens expire within 20 s too.
    const { createPlaylist } = await api<{ createPlaylist: { id: string } }>(
      await apiToken(email),
      'mutation { createPlaylist(input: { name: "Short Lived" }) { id } }',
    );
    const id = createPlaylist.id;
    const add = async (title: string) =>
      api(await apiToken(email), 'mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t) { id } }', { id, t: [idOf(title)] });
    // The playlist queries the app sends over HTTP (a refetch), with their times.
    const refetches: number[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/graphql') && (r.postData() ?? '').includes('query Playlist(')) refetches.push(Date.now());
    });
    await page.goto(`/playlist/${id}`);
    const connection = page.locator('[data-live]');
    await expect(connection).toHaveAttribute('data-live', 'open');
    const openedAt = Date.now();

    const expired = await test.step('the router closes the socket with 4401 when its token expires', async () => {
      let close: { code: number; at: number } | undefined;
      await expect
        .poll(async () => (close = (await closes()).find((c) => c.code === 4401)), { timeout: (ttlSeconds + 15) * 1_000, intervals: [250] })
        .toBeDefined();
      expect(close!.at - openedAt).toBeLessThan((ttlSeconds + 5) * 1_000);
      return close!;
    });

    await test.step('it reconnects with a fresh token: open again, and the refetch after a reconnect ran', async () => {
      await expect(connection).toHaveAttribute('data-live', 'open', { timeout: 30_000 });
      // The app refetches what is on screen at once and 2 s after a reconnect: both have happened.
      await expect.poll(() => refetches.filter((t) => t > expired.at).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      // A reconnect with the expired token would have been refused (4403): none was.
      expect((await closes()).filter((c) => c.code === 4403)).toEqual([]);
    });

    await test.step('the subscription delivers after the reconnect: a change elsewhere shows with no refetch', async () => {
      const before = refetches.length;
      await add('Neon Avenue');
      await expect.poll(() => titles(page), { timeout: 5_000 }).toEqual(['Neon Avenue']);
      await add('River Song');
      await expect.poll(() => titles(page), { timeout: 5_000 }).toEqual(['Neon Avenue', 'River Song']);
      expect(refetches.length, 'the changes came over the socket, not from a refetch').toBe(before);
      test.info().annotations.push({ type: '4401', description: `closed ${expired.at - openedAt} ms after opening (token TTL ${ttlSeconds} s)` });
    });
  } finally {
    await restartResource({});
  }
});
