import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ROUTER_CONCURRENT_PER_ADDRESS, startHarness, type Harness } from './harness.js';

// Every subsonic request reaches the router from one address, which admits 64 requests in flight:
// one request must never fan out over an unbounded list at once, nor send an unbounded list on.
describe('fan-out to the router stays bounded (router double with its per-address limit)', () => {
  let h: Harness;
  let songs: string[];

  beforeAll(async () => {
    h = await startHarness();
    songs = h.router.addTracks(1_700);
  });
  afterAll(async () => h?.close());
  beforeEach(() => {
    h.router.resetStats();
    h.router.delayMs = 30;
  });

  it('getPlaylists for a user with 70 playlists answers all 70 with their songs’ count and duration, at most 4 calls in flight', async () => {
    h.router.delayMs = 100; // answers slow enough that a call per playlist at once would have all 70 in flight
    for (let i = 0; i < 70; i++) {
      const now = new Date().toISOString();
      const id = randomUUID();
      h.router.playlists.set(id, {
        id,
        ownerId: 'u_ann',
        name: `List ${i}`,
        description: null,
        visibility: 'PRIVATE',
        version: 1,
        items: songs.slice(i * 20, i * 20 + 20 + i).map((trackId) => ({ id: randomUUID(), trackId })),
        createdAt: now,
        updatedAt: now,
      });
    }
    const { status, body } = await h.rest('getPlaylists');
    expect(status).toBe(200);
    expect(body.error).toBeUndefined();
    expect(body.status).toBe('ok');
    const listed = body.playlists.playlist as Array<{ name: string; songCount: number; duration: number; coverArt?: string }>;
    expect(listed).toHaveLength(70);
    const seventh = songs.slice(7 * 20, 7 * 20 + 27).map((id) => h.router.tracks.get(id)!);
    expect(listed.find((p) => p.name === 'List 7')).toMatchObject({
      songCount: 27,
      duration: seventh.reduce((sum, t) => sum + t.duration, 0),
      coverArt: 'c'.repeat(32),
    });
    expect(h.router.stats.refused).toBe(0);
    // The listing, then each playlist's songs (one page each here).
    expect(h.router.stats.graphql).toBe(71);
    expect(h.router.stats.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('an ID lookup of 1,700 songs (createPlaylist checks every one exists) works, at most 4 queries in flight', async () => {
    const { body } = await h.rest('createPlaylist', { name: 'Everything', songId: songs }, 'POST');
    expect(body.error).toBeUndefined();
    expect(body.playlist.songCount).toBe(1_700);
    expect(body.playlist.entry.map((e: { id: string }) => e.id)).toEqual(songs);
    expect(h.router.stats.refused).toBe(0);
    expect(h.router.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(h.router.stats.maxInFlight).toBeLessThan(ROUTER_CONCURRENT_PER_ADDRESS);
  });

  it('more than 10,000 song IDs are refused with a clear error before any GraphQL call: createPlaylist, updatePlaylist, savePlayQueue', async () => {
    const tooMany = Array.from({ length: 10_001 }, (_, i) => songs[i % songs.length]!);
    const created = await h.rest('createPlaylist', { name: 'Too long', songId: tooMany }, 'POST');
    expect(created.body.error).toEqual({ code: 0, message: 'A playlist holds at most 10,000 songs (songId: 10001 given)' });
    const [someList] = h.router.playlists.keys();
    const updated = await h.rest('updatePlaylist', { playlistId: someList!, songIdToAdd: tooMany }, 'POST');
    expect(updated.body.error).toEqual({ code: 0, message: 'A playlist holds at most 10,000 songs (songIdToAdd: 10001 given)' });
    const saved = await h.rest('savePlayQueue', { id: tooMany }, 'POST');
    expect(saved.body.error).toEqual({ code: 0, message: 'A play queue holds at most 10,000 songs (id: 10001 given)' });
    expect(h.router.stats.graphql).toBe(0);
    expect(h.userData.saves).toBe(0);
    // 10,000 is still a playlist.
    const full = await h.rest('createPlaylist', { name: 'Full', songId: tooMany.slice(0, 10_000) }, 'POST');
    expect(full.body.error).toBeUndefined();
    expect(full.body.playlist.songCount).toBe(10_000);
    expect(h.router.stats.refused).toBe(0);
  });
});
