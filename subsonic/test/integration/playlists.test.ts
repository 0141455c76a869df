import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './harness.js';

describe('updatePlaylist songIndexToRemove counts the songs getPlaylist shows', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ graphqlDelayMs: 0 });
  });
  afterAll(async () => h?.close());

  const entries = async (id: string) => ((await h.rest('getPlaylist', { id })).body.playlist.entry ?? []).map((e: { id: string }) => e.id) as string[];

  it('with the first item’s song gone from the library, index 0 removes the first song shown, and an index past them is refused', async () => {
    const [gone, a, b, c] = h.router.addTracks(4);
    const { body } = await h.rest('createPlaylist', { name: 'Mixed', songId: [gone!, a!, b!, c!] });
    const id = body.playlist.id as string;
    h.router.removed.add(gone!); // the library's rescan no longer finds it: the item reads as track: null
    expect(await entries(id)).toEqual([a, b, c]);

    expect((await h.rest('updatePlaylist', { playlistId: id, songIndexToRemove: '0' })).body.status).toBe('ok');
    expect(await entries(id)).toEqual([b, c]);
    const stored = h.router.playlists.get(id)!.items.map((i) => i.trackId);
    expect(stored).toEqual([gone, b, c]); // the hidden item is untouched

    // Two songs are shown: 2 is no position (it was one when the hidden item counted).
    const past = await h.rest('updatePlaylist', { playlistId: id, songIndexToRemove: '2' });
    expect(past.body.error).toEqual({ code: 0, message: 'songIndexToRemove 2 is not a position in the playlist' });
    expect(await entries(id)).toEqual([b, c]);

    expect((await h.rest('updatePlaylist', { playlistId: id, songIndexToRemove: '1' })).body.status).toBe('ok');
    expect(await entries(id)).toEqual([b]);
    const shown = (await h.rest('getPlaylist', { id })).body.playlist;
    expect(shown.songCount).toBe(1);
  });
});
