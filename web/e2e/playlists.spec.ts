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
  await signUp(page, 'Curator');
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

  await test.step('remove the duplicate, undo brings it back', async () => {
    await page.getByRole('button', { name: 'Remove Neon Avenue from the playlist, entry 4' }).click();
    await expect(entries(page)).toHaveCount(3);
    await page.getByRole('status', { name: 'Notifications' }).getByRole('button', { name: 'Undo' }).click();
    await expect(entries(page)).toHaveCount(4);
    expect(await titles(page)).toEqual(['Tail Lights', 'Midnight Static', 'Neon Avenue', 'Neon Avenue']);
  });

  await test.step('rename and describe', async () => {
    await page.getByRole('button', { name: 'Edit details' }).click();
    const form = page.getByRole('form', { name: 'Playlist details' });
    await form.getByLabel('Name').fill('Night Trip');
    await form.getByLabel('Description').fill('For the long road home');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { name: 'Night Trip', level: 1 })).toBeVisible();
    await expect(page.getByText('For the long road home')).toBeVisible();
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
