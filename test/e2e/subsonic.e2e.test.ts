import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import SubsonicAPI from 'subsonic-api';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import * as S from '../../subsonic/test/schemas/response.schemas.js';
import { startSystem } from '../../scripts/system.mjs';
import { dropSystemDatabases } from './databases.js';
import { gql } from './graphql-client.js';
import { expectFailure, expectSameFields, expectValid, makeCorpus, parseXml, rest, restJson, type CorpusTrack } from './subsonic-support.js';

type System = Awaited<ReturnType<typeof startSystem>>;

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id email } } }';
const CREATE_KEY = 'mutation($n: String!) { createApiKey(name: $n) { secret apiKey { id } } }';

interface Account {
  email: string;
  password: string;
  token: string;
  key: string;
  keyId: string;
}

describe('OpenSubsonic API (ytm-subsonic) through the router, on the whole system', () => {
  const { mongodbUrl, kafkaBrokers } = infraEnv();
  const dbPrefix = uniqueName('e2e_subsonic');
  let system: System;
  let music: string;
  let corpus: CorpusTrack[];
  let router: string;
  let ann: Account;
  let bob: Account;
  const ids: Record<string, string> = {};

  async function account(name: string): Promise<Account> {
    const email = `${name}-${uniqueName('u')}@example.com`;
    const password = `${name} has a long password`;
    const up = await gql(system.graphqlUrl, SIGN_UP, { input: { email, password, displayName: name } });
    const token = up.data!.signUp.accessToken as string;
    const key = await gql(system.graphqlUrl, CREATE_KEY, { n: `${name}'s phone` }, token);
    return { email, password, token, key: key.data!.createApiKey.secret, keyId: key.data!.createApiKey.apiKey.id };
  }

  beforeAll(async () => {
    music = await mkdtemp(join(tmpdir(), 'ytm-subsonic-'));
    corpus = makeCorpus(music);
    system = await startSystem({
      mongodbUrl,
      kafkaBrokers: kafkaBrokers.join(','),
      ephemeral: true,
      dbPrefix,
      production: true,
      env: { LOG_LEVEL: 'warn', MUSIC_DIR: music, AUTH_FAILURES_PER_ADDRESS: '1000' },
    });
    router = system.routerUrl;
    [ann, bob] = await Promise.all([account('ann'), account('bob')]);
    // The library scanned the corpus.
    await waitFor(
      async () =>
        (await restJson(router, 'search3', { apiKey: ann.key, query: '', songCount: '100' }))['subsonic-response'].searchResult3?.song?.length ===
        corpus.length,
      30_000,
      200,
      'corpus scanned',
    );
    const sync = (await restJson(router, 'search3', { apiKey: ann.key, query: '' }))['subsonic-response'].searchResult3;
    const song = (title: string) => sync.song.find((s: { title: string }) => s.title === title);
    ids.song = song('First Song').id;
    ids.flac = song('Blue').id;
    ids.second = song('Second Song').id;
    ids.green = song('Green').id;
    ids.album = song('First Song').albumId;
    ids.artist = song('First Song').artistId;
    ids.coverArt = song('First Song').coverArt;
    // Ann's ratings, stars and a saved queue: the table then validates entities carrying
    // userRating/starred, the starred/highest lists and the play-queue answers.
    for (const [endpoint, params] of [
      ['setRating', { id: ids.song!, rating: '4' }],
      ['setRating', { id: ids.album!, rating: '5' }],
      ['setRating', { id: ids.artist!, rating: '3' }],
      ['star', { albumId: ids.album!, artistId: ids.artist! }],
      ['savePlayQueue', { id: [ids.song!, ids.flac!], current: ids.flac!, position: '1500' }],
    ] as Array<[string, Record<string, string | string[]>]>) {
      expectValid(await restJson(router, endpoint, { apiKey: ann.key, ...params }), undefined, undefined);
    }
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await dropSystemDatabases(mongodbUrl, dbPrefix);
    await rm(music, { recursive: true, force: true });
  });

  describe('every endpoint, in JSON (validated against the spec schemas) and XML (the same fields)', () => {
    const table: Array<
      [endpoint: string, params: () => Record<string, string | string[]>, key: string | undefined, schema: () => Record<string, unknown> | undefined]
    > = [
      ['ping', () => ({}), undefined, () => undefined],
      ['getLicense', () => ({}), 'license', () => S.license],
      ['getOpenSubsonicExtensions', () => ({}), 'openSubsonicExtensions', () => S.openSubsonicExtensions],
      ['tokenInfo', () => ({}), 'tokenInfo', () => S.tokenInfo],
      ['getMusicFolders', () => ({}), 'musicFolders', () => S.musicFolders],
      ['getIndexes', () => ({}), 'indexes', () => S.indexes],
      ['getArtists', () => ({}), 'artists', () => S.artistsId3],
      ['getArtist', () => ({ id: ids.artist! }), 'artist', () => S.artistWithAlbums],
      ['getAlbum', () => ({ id: ids.album! }), 'album', () => S.albumId3WithSongs],
      ['getSong', () => ({ id: ids.song! }), 'song', () => S.child],
      ['getMusicDirectory', () => ({ id: '1' }), 'directory', () => S.directory],
      ['getMusicDirectory', () => ({ id: ids.artist! }), 'directory', () => S.directory],
      ['getMusicDirectory', () => ({ id: ids.album! }), 'directory', () => S.directory],
      ['getGenres', () => ({}), 'genres', () => S.genres],
      ...['random', 'newest', 'frequent', 'recent', 'starred', 'alphabeticalByName', 'alphabeticalByArtist', 'highest'].map(
        (type) =>
          ['getAlbumList2', () => ({ type, size: '5' }), 'albumList2', () => S.albumList2] as [
            string,
            () => Record<string, string>,
            string,
            () => Record<string, unknown>,
          ],
      ),
      ['getAlbumList2', () => ({ type: 'byYear', fromYear: '2000', toYear: '2030' }), 'albumList2', () => S.albumList2],
      ['getAlbumList2', () => ({ type: 'byGenre', genre: 'Jazz' }), 'albumList2', () => S.albumList2],
      ['getAlbumList', () => ({ type: 'alphabeticalByName' }), 'albumList', () => S.albumList],
      ['getRandomSongs', () => ({ size: '3' }), 'randomSongs', () => S.songs],
      ['getSongsByGenre', () => ({ genre: 'Rock' }), 'songsByGenre', () => S.songs],
      ['search3', () => ({ query: 'song' }), 'searchResult3', () => S.searchResult3],
      ['search3', () => ({ query: '' }), 'searchResult3', () => S.searchResult3],
      ['search2', () => ({ query: 'blue' }), 'searchResult2', () => S.searchResult2],
      ['getStarred2', () => ({}), 'starred2', () => S.starred2],
      ['getStarred', () => ({}), 'starred', () => S.starred],
      ['getNowPlaying', () => ({}), 'nowPlaying', () => S.nowPlaying],
      ['getTopSongs', () => ({ artist: 'Artist A' }), 'topSongs', () => S.songs],
      ['getSimilarSongs2', () => ({ id: ids.song! }), 'similarSongs2', () => S.songs],
      ['getArtistInfo2', () => ({ id: ids.artist! }), 'artistInfo2', () => S.artistInfo2],
      ['getAlbumInfo2', () => ({ id: ids.album! }), 'albumInfo', () => S.albumInfo],
      ['getPlaylists', () => ({}), 'playlists', () => S.playlists],
      ['getPlayQueue', () => ({}), 'playQueue', () => S.playQueue],
      ['getPlayQueueByIndex', () => ({}), 'playQueueByIndex', () => S.playQueueByIndex],
      ['getAlbumList', () => ({ type: 'starred' }), 'albumList', () => S.albumList],
      ['getAlbumList', () => ({ type: 'highest' }), 'albumList', () => S.albumList],
      ['getUser', () => ({ username: ann.email }), 'user', () => S.user],
      ['getScanStatus', () => ({}), 'scanStatus', () => S.scanStatus],
      ['getLyricsBySongId', () => ({ id: ids.song! }), 'lyricsList', () => S.lyricsList],
      ['getLyricsBySongId', () => ({ id: ids.flac! }), 'lyricsList', () => S.lyricsList],
      ['getLyrics', () => ({ artist: 'Artist A', title: 'Second Song' }), 'lyrics', () => S.lyrics],
    ];

    it.each(table.map((row, i) => [`${row[0]} #${i}`, ...row] as const))('%s', async (_label, endpoint, params, key, schema) => {
      const auth = { apiKey: ann.key };
      const json = await restJson(router, endpoint, { ...auth, ...params() });
      expectValid(json, key, schema());
      const xmlRes = await rest(router, `${endpoint}.view`, { ...auth, ...params(), v: '1.16.1', c: 'e2e' });
      expect(xmlRes.headers.get('content-type')).toMatch(/^text\/xml/);
      const xml = parseXml(await xmlRes.text());
      // Random answers differ between two calls: their XML is checked for shape only.
      if (endpoint === 'getRandomSongs' || (endpoint === 'getAlbumList2' && params().type === 'random')) expect(xml.status).toBe('ok');
      else expectSameFields(json['subsonic-response'], xml);
    });

    it('getArtists (the whole artist list at once) is sent gzipped to clients that accept it: the same document', async () => {
      const params = { apiKey: ann.key, f: 'json', v: '1.16.1', c: 'e2e' };
      const plain = await rest(router, 'getArtists', params, { headers: { 'accept-encoding': 'identity' } });
      const zipped = await rest(router, 'getArtists', params, { headers: { 'accept-encoding': 'gzip' } });
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(zipped.headers.get('content-encoding')).toBe('gzip');
      expect(zipped.headers.get('vary')).toMatch(/accept-encoding/i);
      const [a, b] = [await plain.json(), await zipped.json()];
      expect(b).toEqual(a);
      expect((a as Record<string, any>)['subsonic-response'].artists.index.length).toBeGreaterThan(0);
    });
  });

  describe('a real client library (npm subsonic-api) drives a session', () => {
    let client: SubsonicAPI;
    beforeAll(() => {
      client = new SubsonicAPI({ url: router, auth: { apiKey: ann.key } });
    });

    it('ping with an API key, and the server says what it is', async () => {
      const r = await client.ping();
      expect(r).toMatchObject({ status: 'ok', openSubsonic: true, type: 'ytm', version: '1.16.1' });
      const ext = await client.getOpenSubsonicExtensions();
      expect(ext.openSubsonicExtensions.map((e) => e.name).sort()).toEqual([
        'apiKeyAuthentication',
        'formPost',
        'indexBasedQueue',
        'songLyrics',
        'transcodeOffset',
      ]);
    });

    it('syncs the whole library through search3 with an empty query, page by page (GET and form POST)', async () => {
      for (const post of [false, true]) {
        const c = new SubsonicAPI({ url: router, auth: { apiKey: ann.key }, post });
        const seen: string[] = [];
        for (let offset = 0; ; offset += 2) {
          const page = await c.search3({ query: '', songCount: 2, songOffset: offset, artistCount: 0, albumCount: 0 });
          expect(page.status).toBe('ok');
          const songs = page.searchResult3.song ?? [];
          seen.push(...songs.map((s) => s.id));
          if (songs.length < 2) break;
        }
        expect(new Set(seen).size).toBe(corpus.length);
        expect(seen).toHaveLength(corpus.length);
      }
    });

    it('streams a track: the bytes equal the file; a Range request answers 206 with those bytes', async () => {
      const res = await client.stream({ id: ids.song! });
      expect(res.status).toBe(200);
      const file = readFileSync(join(music, corpus[0]!.path));
      expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
      const ranged = await rest(router, 'stream', { apiKey: ann.key, id: ids.song! }, { headers: { range: 'bytes=100-1099' } });
      expect(ranged.status).toBe(206);
      expect(ranged.headers.get('content-range')).toBe(`bytes 100-1099/${file.length}`);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(file.subarray(100, 1100))).toBe(true);
      const flac = await client.download({ id: ids.flac! });
      expect(Buffer.from(await flac.arrayBuffer()).equals(readFileSync(join(music, corpus[2]!.path)))).toBe(true);
    });

    it('transcodes when asked: MP3 at maxBitRate, Opus from FLAC, timeOffset starts later; download stays the file', async () => {
      const flac = readFileSync(join(music, corpus[2]!.path));
      const mp3 = await client.stream({ id: ids.flac!, format: 'mp3', maxBitRate: 96 });
      expect(mp3.status).toBe(200);
      expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
      const whole = Buffer.from(await mp3.arrayBuffer());
      expect(whole.length).toBeGreaterThan(5_000);
      expect(whole.subarray(0, 3).toString('latin1') === 'ID3' || (whole[0] === 0xff && (whole[1]! & 0xe0) === 0xe0)).toBe(true);
      const opus = await rest(router, 'stream', { apiKey: ann.key, id: ids.flac!, format: 'opus' });
      expect(opus.headers.get('content-type')).toBe('audio/ogg');
      expect(
        Buffer.from(await opus.arrayBuffer())
          .subarray(0, 4)
          .toString('latin1'),
      ).toBe('OggS');
      const later = await rest(router, 'stream', { apiKey: ann.key, id: ids.flac!, format: 'mp3', maxBitRate: '96', timeOffset: '2' });
      expect(later.status).toBe(200);
      const rest3 = Buffer.from(await later.arrayBuffer());
      expect(rest3.length).toBeGreaterThan(0);
      expect(rest3.length).toBeLessThan(whole.length * 0.7);
      expect(Buffer.from(await (await client.download({ id: ids.flac! })).arrayBuffer()).equals(flac)).toBe(true);
    });

    it('serves cover art, the size picking a thumbnail', async () => {
      const full = await client.getCoverArt({ id: ids.coverArt! });
      expect(full.status).toBe(200);
      expect(full.headers.get('content-type')).toMatch(/^image\//);
      expect((await full.arrayBuffer()).byteLength).toBeGreaterThan(0);
      const byAlbum = await rest(router, 'getCoverArt', { apiKey: ann.key, id: ids.album!, size: '32' });
      expect(byAlbum.status).toBe(200);
      expect(byAlbum.headers.get('content-type')).toMatch(/^image\//);
    });

    it('stars and unstars a song (getStarred2 shows it with the time), scrobbles now-playing', async () => {
      expect((await client.star({ id: ids.song! })).status).toBe('ok');
      const starred = await client.getStarred2({});
      expect(starred.starred2.song?.map((s) => s.id)).toEqual([ids.song]);
      expect(starred.starred2.song?.[0]?.starred).toBeInstanceOf(Date);
      expectValid(await restJson(router, 'getStarred2', { apiKey: ann.key }), 'starred2', S.starred2);
      expect((await client.scrobble({ id: ids.song!, submission: false })).status).toBe('ok');
      const playing = await client.getNowPlaying();
      expect(playing.nowPlaying.entry?.map((e) => e.id)).toContain(ids.song);
      expectValid(await restJson(router, 'getNowPlaying', { apiKey: ann.key }), 'nowPlaying', S.nowPlaying);
      expect((await client.scrobble({ id: ids.song!, submission: true })).status).toBe('ok');
      expect((await client.unstar({ id: ids.song! })).status).toBe('ok');
      expect((await client.getStarred2({})).starred2.song ?? []).toEqual([]);
    });

    it('rates songs, albums and artists and stars albums and artists; lists and entities show them; 0 and unstar remove them', async () => {
      const bobs = new SubsonicAPI({ url: router, auth: { apiKey: bob.key } });
      expect((await bobs.setRating({ id: ids.song!, rating: 4 })).status).toBe('ok');
      expect((await bobs.setRating({ id: ids.album!, rating: 5 })).status).toBe('ok');
      expect((await bobs.setRating({ id: ids.artist!, rating: 2 })).status).toBe('ok');
      expect((await bobs.star({ albumId: ids.album!, artistId: ids.artist! })).status).toBe('ok');
      expect((await bobs.getSong({ id: ids.song! })).song.userRating).toBe(4);
      const album = (await bobs.getAlbum({ id: ids.album! })).album;
      expect(album.userRating).toBe(5);
      expect(album.starred).toBeInstanceOf(Date);
      expect(album.song?.find((t) => t.id === ids.song)?.userRating).toBe(4);
      const artist = (await bobs.getArtist({ id: ids.artist! })).artist as { userRating?: number; starred?: Date };
      expect(artist).toMatchObject({ userRating: 2, starred: expect.any(Date) });
      const starred = (await bobs.getStarred2({})).starred2;
      expect(starred.album?.map((a) => a.id)).toEqual([ids.album]);
      expect(starred.artist?.map((a) => a.id)).toEqual([ids.artist]);
      expect(starred.song ?? []).toEqual([]);
      expect((await bobs.getStarred({})).starred.album?.map((a) => a.id)).toEqual([ids.album]);
      expect((await bobs.getAlbumList2({ type: 'starred' })).albumList2.album?.map((a) => a.id)).toEqual([ids.album]);
      expect((await bobs.getAlbumList2({ type: 'highest' })).albumList2.album?.map((a) => a.id)).toEqual([ids.album]);
      // Ann's notes are hers: Bob's answers carry only his.
      expect((await client.getSong({ id: ids.song! })).song.userRating).toBe(4);
      expect((await client.getArtist({ id: ids.artist! })).artist).toMatchObject({ userRating: 3 });

      expect((await bobs.setRating({ id: ids.album!, rating: 0 })).status).toBe('ok');
      expect((await bobs.unstar({ albumId: ids.album!, artistId: ids.artist! })).status).toBe('ok');
      const after = (await bobs.getAlbum({ id: ids.album! })).album;
      expect(after.userRating).toBeUndefined();
      expect(after.starred).toBeUndefined();
      expect((await bobs.getAlbumList2({ type: 'highest' })).albumList2.album ?? []).toEqual([]);
      expect((await bobs.getStarred2({})).starred2.artist ?? []).toEqual([]);
      // The folder-style form: `id` naming an album.
      expect((await bobs.star({ id: ids.album! })).status).toBe('ok');
      expect((await bobs.getAlbumList({ type: 'starred' })).albumList.album?.map((a) => a.id)).toEqual([ids.album]);
      expect((await bobs.unstar({ id: ids.album! })).status).toBe('ok');
    });

    it('saves the play queue on one device and resumes it on another (by ID and by index); an empty save clears it', async () => {
      const phone = new SubsonicAPI({ url: router, auth: { apiKey: bob.key } });
      const desktop = new SubsonicAPI({ url: router, auth: { apiKey: bob.key }, post: true });
      expect((await phone.getPlayQueue()).playQueue).toBeUndefined();
      const saved = await phone.savePlayQueue({ id: [ids.song!, ids.flac!, ids.song!], current: ids.flac!, position: 12_345, c: 'phone' } as never);
      expect(saved.status).toBe('ok');
      const resumed = (await desktop.getPlayQueue()).playQueue!;
      expect(resumed).toMatchObject({ current: ids.flac, position: 12_345, changedBy: 'phone', username: bob.email });
      expect(resumed.entry?.map((e) => e.id)).toEqual([ids.song, ids.flac, ids.song]);
      expect(Date.now() - new Date(resumed.changed).getTime()).toBeLessThan(60_000);
      // The second copy of a song is current: only the index can say so.
      const byIndex = await desktop.customJSON<{ status: string }>('savePlayQueueByIndex', {
        id: [ids.song!, ids.flac!, ids.song!],
        currentIndex: 2,
        position: 99,
      });
      expect(byIndex.status).toBe('ok');
      const q = (
        await phone.customJSON<{ playQueueByIndex: { currentIndex: number; position: number; changedBy: string; entry: Array<{ id: string }> } }>(
          'getPlayQueueByIndex',
          {},
        )
      ).playQueueByIndex;
      expect(q).toMatchObject({ currentIndex: 2, position: 99, changedBy: 'subsonic-api' });
      expect(q.entry.map((e) => e.id)).toEqual([ids.song, ids.flac, ids.song]);
      expect((await phone.getPlayQueue()).playQueue?.current).toBe(ids.song);
      expect((await phone.savePlayQueue({ position: 0 })).status).toBe('ok');
      expect((await desktop.getPlayQueue()).playQueue).toBeUndefined();
      expect((await desktop.customJSON<Record<string, unknown>>('getPlayQueueByIndex', {})).playQueueByIndex).toBeUndefined();
    });

    it('reads lyrics: a sidecar .lrc and a Vorbis LRC comment synced, an ID3 USLT frame plain', async () => {
      const lrc = ((await client.getLyricsBySongId({ id: ids.song! })) as unknown as { lyricsList: { structuredLyrics: unknown[] } }).lyricsList;
      expect(lrc.structuredLyrics).toEqual([
        {
          displayArtist: 'Artist A',
          displayTitle: 'First Song',
          lang: 'en',
          synced: true,
          line: [
            { start: 500, value: 'Hello world' },
            { start: 1750, value: 'Second line' },
          ],
        },
      ]);
      const vorbis = await restJson(router, 'getLyricsBySongId', { apiKey: ann.key, id: ids.flac! });
      expect(vorbis['subsonic-response'].lyricsList.structuredLyrics[0]).toMatchObject({
        synced: true,
        line: [
          { start: 1000, value: 'Blue one' },
          { start: 2000, value: 'Blue two' },
        ],
      });
      const uslt = await restJson(router, 'getLyricsBySongId', { apiKey: ann.key, id: ids.second! });
      expect(uslt['subsonic-response'].lyricsList.structuredLyrics).toEqual([
        { displayArtist: 'Artist A', displayTitle: 'Second Song', lang: 'eng', synced: false, line: [{ value: 'Plain words' }, { value: 'Another line' }] },
      ]);
      const classic = await client.getLyrics({ artist: 'Artist A', title: 'Second Song' });
      expect(classic.lyrics).toMatchObject({ artist: 'Artist A', title: 'Second Song', value: 'Plain words\nAnother line' });
      const none = await restJson(router, 'getLyricsBySongId', { apiKey: ann.key, id: ids.green! });
      expect(none['subsonic-response'].lyricsList).toEqual({});
    });

    it('creates and edits a playlist', async () => {
      const created = await client.createPlaylist({ name: 'Road trip', songId: [ids.song!, ids.flac!] });
      expect(created.playlist).toMatchObject({ name: 'Road trip', songCount: 2, public: false, owner: ann.email });
      const id = created.playlist.id;
      expect(created.playlist.entry?.map((e) => e.id)).toEqual([ids.song, ids.flac]);
      await client.updatePlaylist({
        playlistId: id,
        name: 'Road trip 2',
        comment: 'windows down',
        public: true,
        songIdToAdd: [ids.song!],
        songIndexToRemove: [0],
      });
      const after = await client.getPlaylist({ id });
      expect(after.playlist).toMatchObject({ name: 'Road trip 2', comment: 'windows down', public: true, songCount: 2 });
      expect(after.playlist.entry?.map((e) => e.id)).toEqual([ids.flac, ids.song]);
      expectValid(await restJson(router, 'getPlaylist', { apiKey: ann.key, id }), 'playlist', S.playlistWithSongs);
      expect((await client.getPlaylists()).playlists.playlist?.map((p) => p.id)).toContain(id);
      expect((await client.deletePlaylist({ id })).status).toBe('ok');
      expectFailure(await restJson(router, 'getPlaylist', { apiKey: ann.key, id }), 70);
    });
  });

  describe('bad input gets the spec code and changes nothing', () => {
    const j = (endpoint: string, params: Record<string, string | string[]>) => restJson(router, endpoint, params);

    it('missing parameters: 10', async () => {
      for (const [endpoint, params] of [
        ['getSong', {}],
        ['getAlbum', {}],
        ['getArtist', {}],
        ['stream', {}],
        ['search3', {}],
        ['getAlbumList2', {}],
        ['getAlbumList2', { type: 'byYear', fromYear: '2000' }],
        ['getAlbumList2', { type: 'byGenre' }],
        ['star', {}],
        ['createPlaylist', {}],
        ['getSongsByGenre', {}],
      ] as Array<[string, Record<string, string>]>) {
        expectFailure(await j(endpoint, { apiKey: ann.key, ...params }), 10);
      }
    });

    it('unknown ids: 70, and a star or playlist with one unknown song changes nothing', async () => {
      for (const [endpoint, params] of [
        ['getSong', { id: 'tr_nope' }],
        ['getAlbum', { id: 'al_nope' }],
        ['getArtist', { id: 'ar_nope' }],
        ['getPlaylist', { id: 'nope' }],
        ['stream', { id: 'tr_nope' }],
        ['getCoverArt', { id: 'al_nope' }],
        ['getMusicDirectory', { id: 'zz' }],
        ['star', { id: ['tr_nope'] }],
      ] as Array<[string, Record<string, string | string[]>]>) {
        expectFailure(await j(endpoint, { apiKey: ann.key, ...params }), 70);
      }
      expectFailure(await j('star', { apiKey: ann.key, id: [ids.song!, 'tr_nope'] }), 70);
      expect((await j('getStarred2', { apiKey: ann.key }))['subsonic-response'].starred2.song ?? []).toEqual([]);
      const before = (await j('getPlaylists', { apiKey: ann.key }))['subsonic-response'].playlists.playlist ?? [];
      expectFailure(await j('createPlaylist', { apiKey: ann.key, name: 'x', songId: [ids.song!, 'tr_nope'] }), 70);
      expect((await j('getPlaylists', { apiKey: ann.key }))['subsonic-response'].playlists.playlist ?? []).toHaveLength(before.length);
    });

    it('ratings: missing 10, out of range 0, unknown 70; nothing changes', async () => {
      const rating = async () => (await j('getAlbum', { apiKey: ann.key, id: ids.album! }))['subsonic-response'].album.userRating;
      expect(await rating()).toBe(5);
      expectFailure(await j('setRating', { apiKey: ann.key, rating: '3' }), 10);
      expectFailure(await j('setRating', { apiKey: ann.key, id: ids.album! }), 10);
      for (const bad of ['6', '-1', 'x', '2.5']) expectFailure(await j('setRating', { apiKey: ann.key, id: ids.album!, rating: bad }), 0);
      for (const id of ['al_nope', 'ar_nope', 'tr_nope', 'zz']) expectFailure(await j('setRating', { apiKey: ann.key, id, rating: '1' }), 70);
      expect(await rating()).toBe(5);
    });

    it('stars of unknown albums or artists: 70, and nothing of the call is starred', async () => {
      const gary = await account('gary');
      expectFailure(await j('star', { apiKey: gary.key, albumId: [ids.album!, 'al_nope'] }), 70);
      expectFailure(await j('star', { apiKey: gary.key, albumId: ids.album!, artistId: 'ar_nope' }), 70);
      expectFailure(await j('star', { apiKey: gary.key, id: [ids.song!, 'al_nope'] }), 70);
      expectFailure(await j('unstar', { apiKey: gary.key, artistId: 'ar_nope' }), 70);
      expectFailure(await j('star', { apiKey: gary.key, albumId: Array.from({ length: 26 }, () => ids.album!) }), 0);
      expect((await j('getStarred2', { apiKey: gary.key }))['subsonic-response'].starred2).toEqual({ artist: [], album: [], song: [] });
    });

    it('play queues: unknown songs 70, a current song outside the queue or a bad position 0, no index 10; the saved queue stays', async () => {
      const queue = async () => (await j('getPlayQueue', { apiKey: ann.key }))['subsonic-response'].playQueue;
      const before = await queue();
      expect(before).toMatchObject({ current: ids.flac, position: 1500 });
      expectFailure(await j('savePlayQueue', { apiKey: ann.key, id: [ids.song!, 'tr_nope'] }), 70);
      expectFailure(await j('savePlayQueue', { apiKey: ann.key, id: [ids.song!], current: ids.flac! }), 0);
      expectFailure(await j('savePlayQueue', { apiKey: ann.key, id: [ids.song!], position: '-5' }), 0);
      expectFailure(await j('savePlayQueueByIndex', { apiKey: ann.key, id: [ids.song!] }), 10);
      expectFailure(await j('savePlayQueueByIndex', { apiKey: ann.key, id: [ids.song!], currentIndex: '1' }), 0);
      expectFailure(await j('savePlayQueueByIndex', { apiKey: ann.key, id: [ids.song!, 'tr_nope'], currentIndex: '0' }), 70);
      expect(await queue()).toEqual(before);
    });

    it("another user's private playlist: 70 to read, change or delete", async () => {
      const mine = (await j('createPlaylist', { apiKey: ann.key, name: 'Secret', songId: [ids.song!] }))['subsonic-response'].playlist.id as string;
      for (const [endpoint, params] of [
        ['getPlaylist', { id: mine }],
        ['updatePlaylist', { playlistId: mine, name: 'Mine now' }],
        ['deletePlaylist', { id: mine }],
      ] as Array<[string, Record<string, string>]>) {
        expectFailure(await j(endpoint, { apiKey: bob.key, ...params }), 70);
      }
      expect((await j('getPlaylist', { apiKey: ann.key, id: mine }))['subsonic-response'].playlist.name).toBe('Secret');
    });

    it('auth: conflicting mechanisms 43, token auth 41, unknown key 44, wrong password 40, no credentials 10', async () => {
      expectFailure(await j('ping', { apiKey: ann.key, u: ann.email }), 43);
      expectFailure(await j('ping', { u: ann.email, p: ann.password, t: 'abc', s: 'def' }), 43);
      expectFailure(await j('ping', { u: ann.email, t: '26719a1196d2a940705a59634eb18eab', s: 'c19b2d' }), 41);
      expectFailure(await j('ping', { apiKey: 'ytm_not_a_key' }), 44);
      expectFailure(await j('ping', { u: ann.email, p: 'wrong password' }), 40);
      expectFailure(await j('ping', {}), 10);
      expectFailure(await j('getSong', { id: ids.song! }), 10);
      expectValid(await j('ping', { u: ann.email, p: ann.password }), undefined, undefined);
      expectValid(await j('ping', { u: ann.email.toUpperCase(), p: `enc:${Buffer.from(ann.password).toString('hex')}` }), undefined, undefined);
      expectFailure(await j('tokenInfo', { u: ann.email, p: ann.password }), 44);
      expectFailure(await j('startScan', { apiKey: ann.key }), 50);
      expectFailure(await j('getUser', { apiKey: ann.key, username: bob.email }), 50);
      expectFailure(await j('getPodcasts', { apiKey: ann.key }), 0);
    });

    it('a revoked key stops working within 1 s', async () => {
      const cara = await account('cara');
      expectValid(await j('ping', { apiKey: cara.key }), undefined, undefined);
      expectValid(await j('ping', { apiKey: cara.key }), undefined, undefined);
      const revoked = await gql(system.graphqlUrl, 'mutation($id: ID!) { revokeApiKey(id: $id) }', { id: cara.keyId }, cara.token);
      expect(revoked.data?.revokeApiKey).toBe(true);
      const t0 = Date.now();
      await waitFor(async () => (await j('ping', { apiKey: cara.key }))['subsonic-response'].error?.code === 44, 5_000, 20, 'revoked key refused');
      expect(Date.now() - t0).toBeLessThan(1_000);
    });

    it('a changed password stops working at once; the new one works', async () => {
      const dan = await account('dan');
      expectValid(await j('ping', { u: dan.email, p: dan.password }), undefined, undefined);
      const changed = await gql(
        system.graphqlUrl,
        'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
        { c: dan.password, n: 'dan has a new password' },
        dan.token,
      );
      expect(changed.data?.changePassword).toBe(true);
      await waitFor(
        async () => (await j('ping', { u: dan.email, p: dan.password }))['subsonic-response'].error?.code === 40,
        5_000,
        20,
        'old password refused',
      );
      expectValid(await j('ping', { u: dan.email, p: 'dan has a new password' }), undefined, undefined);
    });

    it('wrong passwords are throttled: after 10 failures even the right one is refused', async () => {
      const eve = await account('eve');
      for (let i = 0; i < 10; i++) expectFailure(await j('ping', { u: eve.email, p: `guess ${i}` }), 40);
      const throttled = await j('ping', { u: eve.email, p: eve.password });
      expectFailure(throttled, 0);
      expect(throttled['subsonic-response'].error.message).toMatch(/Too many failed sign-in attempts/);
      // API keys are not affected.
      expectValid(await j('ping', { apiKey: eve.key }), undefined, undefined);
    });
  });
});
