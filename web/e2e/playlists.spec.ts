import { expect, test, type Locator, type Page } from '@playwright/test';
import { api, apiToken, checkA11y, screenshot, signUp } from './helpers';

test.use({ baseURL: process.env.YTM_WEB_URL });

const entries = (page: Page): Locator => page.getByRole('list', { name: 'Playlist entries' }).locator('li.track');
const titles = async (page: Page) => (await entries(page).locator('.t-title').allTextContents()).map((t) => t.trim());

async function createPlaylist(page: Page, name: string, visibility: 'Private' | 'Public' = 'Private'): Promise<string> {
  await page.goto('/lists');
  const form = page.getByRole('form', { name: 'New playlist' });
  await form.getByLabel('Name').fill(name);
  if (visibility === 'Public') await form.getByLabel(/^Public/).check();
  await form.getByRole('button', { name: 'Create playlist' }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  return page.url().split('/playlist/')[1]!;
}

async function openAlbum(page: Page, title: string) {
  await page.goto('/');
  await page.getByRole('link', { name: new RegExp(`^${title} by`) }).click();
  await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
}

test('create → add (menu, multi-selection, drag and drop, duplicates) → reorder by drag and drop and keyboard → reload keeps the order → remove, undo → rename → delete', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const email = await signUp(page, 'Curator');
  const id = await createPlaylist(page, 'Road Trip');

  await test.step('add from a track menu, from a multi-selection and by dragging a row onto the playlist', async () => {
    await openAlbum(page, 'Night Drive');
    await page.getByRole('button', { name: 'More for Neon Avenue' }).click();
    await page.getByRole('button', { name: 'Road Trip' }).click();
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText('Added 1 track to “Road Trip”');
    await page.getByRole('checkbox', { name: 'Select Midnight Static' }).check();
    await page.getByRole('checkbox', { name: 'Select Tail Lights' }).check();
    const bar = page.getByRole('region', { name: 'Selected tracks' });
    await expect(bar).toContainText('2 tracks selected');
    await bar.getByLabel('Playlist to add the selected tracks to').selectOption({ label: 'Road Trip' });
    await bar.getByRole('button', { name: 'Add to playlist' }).click();
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText('Added 2 tracks to “Road Trip”');
    await expect(bar).toBeHidden();
    // The same track again: playlists hold duplicates.
    const row = page.locator('.tracks .track', { hasText: 'Neon Avenue' });
    await row.dragTo(page.getByRole('navigation', { name: 'Your playlists' }).getByRole('link', { name: 'Road Trip' }));
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText('Added 1 track to “Road Trip”');
  });

  await test.step('the playlist holds the four entries, the duplicate included', async () => {
    await page.getByRole('navigation', { name: 'Your playlists' }).getByRole('link', { name: 'Road Trip' }).click();
    await expect(entries(page)).toHaveCount(4);
    expect(await titles(page)).toEqual(['Neon Avenue', 'Midnight Static', 'Tail Lights', 'Neon Avenue']);
  });

  await test.step('drag "Tail Lights" onto the first entry: it takes its place; a reload keeps the order', async () => {
    await entries(page).nth(2).dragTo(entries(page).nth(0));
    await expect.poll(() => titles(page)).toEqual(['Tail Lights', 'Neon Avenue', 'Midnight Static', 'Neon Avenue']);
    await page.reload();
    await expect(entries(page)).toHaveCount(4);
    expect(await titles(page)).toEqual(['Tail Lights', 'Neon Avenue', 'Midnight Static', 'Neon Avenue']);
  });

  await test.step('keyboard: ArrowUp on an entry’s handle moves it up, focus stays on it', async () => {
    const grip = page.getByRole('button', { name: /^Move Midnight Static, entry 3 of 4/ });
    await grip.focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => titles(page)).toEqual(['Tail Lights', 'Midnight Static', 'Neon Avenue', 'Neon Avenue']);
    await expect(page.getByRole('button', { name: /^Move Midnight Static, entry 2 of 4/ })).toBeFocused();
    await page.reload();
    await expect(entries(page)).toHaveCount(4);
    expect(await titles(page)).toEqual(['Tail Lights', 'Midnight Static', 'Neon Avenue', 'Neon Avenue']);
    await screenshot(page, 'playlist');
    await checkA11y(page, 'playlist');
  });

  await test.step('remove the duplicate, undo brings it back (sent against the playlist after the removal: no conflict)', async () => {
    await page.getByRole('button', { name: 'Remove Neon Avenue from the playlist, entry 4' }).click();
    await expect(entries(page)).toHaveCount(3);
    // Every add the app sends: one for the Undo, not a refused one (stale version) and its retry.
    const adds: unknown[] = [];
    const onRequest = (r: import('@playwright/test').Request) => {
      if (r.url().endsWith('/graphql') && r.postData()?.includes('addTracksToPlaylist')) adds.push(r.postDataJSON());
    };
    page.on('request', onRequest);
    await page.getByRole('status', { name: 'Notifications' }).getByRole('button', { name: 'Undo' }).click();
    await expect(entries(page)).toHaveCount(4);
    expect(await titles(page)).toEqual(['Tail Lights', 'Midnight Static', 'Neon Avenue', 'Neon Avenue']);
    page.off('request', onRequest);
    expect(adds).toHaveLength(1);
    await expect(page.getByRole('status', { name: 'Notifications' })).not.toContainText('changed elsewhere');
  });

  await test.step('rename and describe', async () => {
    await page.getByRole('button', { name: 'Edit details' }).click();
    const form = page.getByRole('form', { name: 'Playlist details' });
    await form.getByLabel('Name').fill('Night Trip');
    await form.getByLabel('Description').fill('For the long road home');
    await form.getByRole('button', { name: 'Save' }).click();
    // The form closes once the server has the change (the new name may arrive first, by playlistChanged).
    await expect(form).toBeHidden();
    await expect(page.getByRole('heading', { name: 'Night Trip', level: 1 })).toBeVisible();
    await expect(page.getByText('For the long road home')).toBeVisible();
  });

  await test.step('renamed on another device: the form opens with the new name, and Cancel drops what was typed', async () => {
    const token = await apiToken(email);
    await api(token, 'mutation($id: ID!) { updatePlaylist(id: $id, input: { name: "Night Drive Home" }) { id } }', { id });
    await expect(page.getByRole('heading', { name: 'Night Drive Home', level: 1 })).toBeVisible(); // live
    await page.getByRole('button', { name: 'Edit details' }).click();
    const form = page.getByRole('form', { name: 'Playlist details' });
    await expect(form.getByLabel('Name')).toHaveValue('Night Drive Home');
    await expect(form.getByLabel('Description')).toHaveValue('For the long road home');
    await form.getByLabel('Name').fill('Typed, then cancelled');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await expect(form).toBeHidden();
    await page.getByRole('button', { name: 'Edit details' }).click();
    await expect(form.getByLabel('Name')).toHaveValue('Night Drive Home');
    // Saving the description alone keeps the rename made elsewhere.
    await form.getByLabel('Description').fill('For the long drive home');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form).toBeHidden();
    await expect(page.getByText('For the long drive home')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Night Drive Home', level: 1 })).toBeVisible();
  });

  await test.step('export M3U8: duration, artist and title, the path relative to the music folder', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export M3U8' }).click();
    const file = await (await download).path();
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines).toContain('#EXTINF:40,Aurora Lane - Tail Lights');
    expect(lines).toContain('Aurora Lane/Night Drive/03 Tail Lights.mp3');
  });

  await test.step('delete asks first, then the playlist is gone', async () => {
    await page.getByRole('button', { name: 'Delete playlist' }).click();
    await page.getByRole('group', { name: 'Confirm deletion' }).getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('heading', { name: 'Playlists', level: 1 })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Your playlists' })).toHaveCount(0);
    await page.goto(`/playlist/${id}`);
    await expect(page.getByRole('heading', { name: 'This playlist is not available' })).toBeVisible();
  });
  expect(errors).toEqual([]);
});

test('a stale edit: the app reloads the playlist and re-applies the change, or says why it cannot', async ({ page }) => {
  const email = await signUp(page, 'Stale');
  const id = await createPlaylist(page, 'Contested');
  const token = await apiToken(email);
  const { tracks } = await api<{ tracks: { edges: Array<{ node: { id: string; title: string } }> } }>(
    token,
    '{ tracks(first: 10) { edges { node { id title } } } }',
  );
  const byTitle = (t: string) => tracks.edges.find((e) => e.node.title === t)!.node.id;
  await api(token, 'mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t) { id } }', {
    id,
    t: [byTitle('Neon Avenue'), byTitle('Midnight Static'), byTitle('Tail Lights')],
  });
  await page.reload();
  await expect(entries(page)).toHaveCount(3);

  await test.step('a move sent with an old version: re-applied on the fresh playlist, and the user is told', async () => {
    // Someone else adds a track just before our move reaches the server: our expectedVersion is stale.
    let raced = false;
    await page.route('**/graphql', async (route) => {
      if (!raced && (route.request().postData() ?? '').includes('mutation MovePlaylistItem')) {
        raced = true;
        await api(token, 'mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t, position: 0) { id } }', {
          id,
          t: [byTitle('River Song')],
        });
      }
      await route.fallback();
    });
    await page.getByRole('button', { name: /^Move Tail Lights, entry 3 of 3/ }).focus();
    await page.keyboard.press('ArrowUp');
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(
      'The playlist had changed elsewhere; it was reloaded and your change (move the entry) applied to it.',
    );
    await expect.poll(() => titles(page)).toEqual(['River Song', 'Neon Avenue', 'Tail Lights', 'Midnight Static']);
    await page.unroute('**/graphql');
  });

  await test.step('a removal of an entry someone else removed first: not applied, and the user is told', async () => {
    const { playlist } = await api<{ playlist: { items: { edges: Array<{ node: { id: string; track: { title: string } } }> } } }>(
      token,
      'query($id: ID!) { playlist(id: $id) { items { edges { node { id track { title } } } } } }',
      { id },
    );
    const river = playlist.items.edges.find((e) => e.node.track.title === 'River Song')!.node.id;
    let raced = false;
    await page.route('**/graphql', async (route) => {
      if (!raced && (route.request().postData() ?? '').includes('mutation RemovePlaylistItems')) {
        raced = true;
        await api(token, 'mutation($id: ID!, $i: [ID!]!) { removePlaylistItems(id: $id, itemIds: $i) { id } }', { id, i: [river] });
      }
      await route.fallback();
    });
    await page.getByRole('button', { name: 'Remove River Song from the playlist, entry 1' }).click();
    await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(
      'your change (remove the entry) was not applied: the entries you removed had already been removed',
    );
    await expect.poll(() => titles(page)).toEqual(['Neon Avenue', 'Tail Lights', 'Midnight Static']);
    await page.unroute('**/graphql');
  });
});

test('a playlist of 150 entries: the first 100 come at once, the rest as you scroll; drag and drop and the keyboard reorder across pages; a reload keeps the order', async ({
  page,
}) => {
  const email = await signUp(page, 'Collector');
  const token = await apiToken(email);
  const { tracks } = await api<{ tracks: { edges: Array<{ node: { id: string } }> } }>(token, '{ tracks(first: 100) { edges { node { id } } } }');
  const { createPlaylist: made } = await api<{ createPlaylist: { id: string } }>(token, 'mutation { createPlaylist(input: { name: "Long Haul" }) { id } }');
  const id = made.id;
  // 150 entries (the library's tracks over and over: duplicates are allowed).
  const trackIds = Array.from({ length: 150 }, (_, i) => tracks.edges[i % tracks.edges.length]!.node.id);
  await api(token, 'mutation($id: ID!, $t: [ID!]!) { addTracksToPlaylist(id: $id, trackIds: $t) { id } }', { id, t: trackIds });
  /** The entries' IDs in order, as the API has them (100 a page). */
  type ItemsPage = { playlist: { items: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } };
  const apiOrder = async (): Promise<string[]> => {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { playlist }: ItemsPage = await api<ItemsPage>(
        token,
        'query($id: ID!, $after: String) { playlist(id: $id) { items(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }',
        {
          id,
          after,
        },
      );
      ids.push(...playlist.items.edges.map((e) => e.node.id));
      if (!playlist.items.pageInfo.hasNextPage) return ids;
      after = playlist.items.pageInfo.endCursor;
    }
  };
  const shownOrder = () => entries(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item')!));
  const row = (itemId: string) => page.locator(`li.track[data-item="${itemId}"]`);
  /** `order` with `itemId` moved to index `to` (what dropping it on the entry at `to` does). */
  const moved = (order: string[], itemId: string, to: number) => {
    const next = order.filter((i) => i !== itemId);
    next.splice(to, 0, itemId);
    return next;
  };
  /**
   * Drags one entry (by its number) onto another up to 5 rows above it, with the mouse: the dragged
   * row is put mid-screen (scrolled in just so, it would sit under the fixed player bar; the target
   * must not be under the sticky search bar), and the page does not scroll during the drag (a
   * locator's dragTo scrolls the target to where the source was, so no drag starts).
   */
  const dragOnto = async (itemId: string, targetId: string) => {
    await row(itemId).evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const from = (await row(itemId).locator('.num').boundingBox())!;
    const to = (await row(targetId).locator('.num').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
    await page.mouse.up();
  };
  let order = await apiOrder();
  expect(order).toHaveLength(150);

  await test.step('the first 100 entries show; scrolling to the end loads the other 50', async () => {
    await page.goto(`/playlist/${id}`);
    await expect(entries(page)).toHaveCount(100);
    await expect(page.getByRole('button', { name: 'Show more entries (100 of 150 shown)' })).toBeVisible();
    await expect(page.getByText('150 tracks')).toBeVisible();
    await page.locator('.load-more').scrollIntoViewIfNeeded();
    await expect(entries(page)).toHaveCount(150);
    await expect(page.locator('.load-more')).toHaveCount(0);
    expect(await shownOrder()).toEqual(order);
    await expect(page.getByRole('button', { name: /, entry 150 of 150$/ })).toHaveCount(1);
  });

  await test.step('drag entry 140 onto entry 136 (both past the first page), then entry 103 onto entry 99 (across the page boundary)', async () => {
    const a = order[139]!;
    await dragOnto(a, order[135]!);
    order = moved(order, a, 135);
    await expect.poll(shownOrder).toEqual(order);
    await expect.poll(apiOrder).toEqual(order);
    const b = order[102]!;
    await dragOnto(b, order[98]!);
    order = moved(order, b, 98);
    await expect.poll(shownOrder).toEqual(order);
    await expect.poll(apiOrder).toEqual(order);
  });

  await test.step('the keyboard moves the last entry up one, and an entry across the page boundary', async () => {
    const last = order[149]!;
    await row(last)
      .getByRole('button', { name: /^Move .*, entry 150 of 150/ })
      .focus();
    await page.keyboard.press('ArrowUp');
    order = moved(order, last, 148);
    await expect.poll(shownOrder).toEqual(order);
    const edge = order[100]!;
    await row(edge)
      .getByRole('button', { name: /^Move .*, entry 101 of 150/ })
      .focus();
    await page.keyboard.press('ArrowUp');
    order = moved(order, edge, 99);
    await expect.poll(shownOrder).toEqual(order);
    await expect.poll(apiOrder).toEqual(order);
  });

  await test.step('a reload keeps the order, page after page', async () => {
    await page.reload();
    await expect(entries(page)).toHaveCount(100);
    await page.locator('.load-more').scrollIntoViewIfNeeded();
    await expect(entries(page)).toHaveCount(150);
    expect(await shownOrder()).toEqual(order);
  });
});
