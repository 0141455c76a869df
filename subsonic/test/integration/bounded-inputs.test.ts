import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from './harness.js';

// Free text that subsonic keeps (now-playing's player name, the play queue's changedBy) or keys a
// cache on (a genre's cursors) is refused above 256 characters, before anything is asked or kept.
describe('over-long free-text parameters are refused before they reach memory', () => {
  let h: Harness;
  let song: string;
  const huge = 'g'.repeat(900_000); // a form POST body may carry ~1 MB

  beforeAll(async () => {
    h = await startHarness({ graphqlDelayMs: 0 });
    [song] = h.router.addTracks(1, 'Jazz') as [string];
  });
  afterAll(async () => h?.close());
  beforeEach(() => h.router.resetStats());

  it.each([
    ['getSongsByGenre', {}],
    ['getAlbumList2', { type: 'byGenre' }],
    ['getAlbumList', { type: 'byGenre' }],
    ['getRandomSongs', {}],
  ])('%s with a 900 KB genre: error 0 naming the parameter, no GraphQL call', async (endpoint, params) => {
    const { status, body } = await h.rest(endpoint, { ...params, genre: huge }, 'POST');
    expect(status).toBe(200);
    expect(body.error).toEqual({ code: 0, message: 'Parameter genre must be at most 256 characters' });
    expect(h.router.stats.graphql).toBe(0);
    const justOver = await h.rest(endpoint, { ...params, genre: 'x'.repeat(257) });
    expect(justOver.body.error?.code).toBe(0);
    expect(h.router.stats.graphql).toBe(0);
  });

  it('a genre of 256 characters is still asked for; a short one finds its songs', async () => {
    expect((await h.rest('getSongsByGenre', { genre: 'x'.repeat(256) })).body).toMatchObject({ status: 'ok', songsByGenre: {} });
    expect(h.router.stats.graphql).toBe(1);
    const jazz = await h.rest('getSongsByGenre', { genre: 'Jazz' });
    expect(jazz.body.songsByGenre.song.map((s: { id: string }) => s.id)).toEqual([song]);
  });

  it('an empty genre is a missing parameter (10)', async () => {
    expect((await h.rest('getSongsByGenre', { genre: '' })).body.error.code).toBe(10);
  });

  it('scrobble (now playing) and savePlayQueue with an over-long client name c: error 0, nothing kept', async () => {
    const longName = 'c'.repeat(257);
    const scrobble = await h.rest('scrobble', { id: song, submission: 'false', c: longName });
    expect(scrobble.body.error).toEqual({ code: 0, message: 'Parameter c must be at most 256 characters' });
    const saved = await h.rest('savePlayQueue', { id: song, c: huge }, 'POST');
    expect(saved.body.error).toEqual({ code: 0, message: 'Parameter c must be at most 256 characters' });
    expect(h.userData.saves).toBe(0);
    expect(h.subsonic.services.nowPlaying.list()).toEqual([]);
    expect(h.router.stats.graphql).toBe(0);

    // 256 characters are kept as given.
    const name = 'n'.repeat(256);
    expect((await h.rest('scrobble', { id: song, submission: 'false', c: name })).body.status).toBe('ok');
    expect((await h.rest('getNowPlaying')).body.nowPlaying.entry).toEqual([expect.objectContaining({ id: song, playerName: name })]);
    expect((await h.rest('savePlayQueue', { id: song, c: name })).body.status).toBe('ok');
    expect((await h.rest('getPlayQueue')).body.playQueue).toMatchObject({ changedBy: name, entry: [expect.objectContaining({ id: song })] });
  });
});
