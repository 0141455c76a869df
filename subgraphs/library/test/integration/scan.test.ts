// A generated corpus (every format, multi-disc, compilation, accents, corrupt files, covers)
// scanned on real FerretDB and Kafka, then read through GraphQL, /art and gRPC.
import { relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createClient, LibraryClient, status as grpcStatus, unaryCall } from '@ytm/proto';
import { testIdentity } from '@ytm/testing';
import { ffmpegAvailable, makeAudio, makeCorrupt, makeImage } from './corpus.js';
import { startLibrary, type Harness } from './harness.js';

jest.setTimeout(120_000);

let h: Harness;
let status: Record<string, any>;

const TRACK_FIELDS = `id title duration trackNumber discNumber year genres
  artists { id name sortName } album { id title compilation discCount trackCount artist { name } }
  format { container codec mimeType lossless fileSize sampleRate channels } coverArt { url mimeType width height }`;

beforeAll(async () => {
  if (!(await ffmpegAvailable())) throw new Error('ffmpeg is required (apt-get install -y ffmpeg)');
  h = await startLibrary();
  const root = h.musicDir;
  await makeImage(`${root}/Beatles/Abbey Road/cover.jpg`, 'red');
  await Promise.all([
    makeAudio(root, {
      path: 'Beatles/Abbey Road/CD1/01 Come Together.mp3',
      tags: {
        title: 'Come Together',
        artist: 'The Beatles',
        album_artist: 'The Beatles',
        album: 'Abbey Road',
        track: '1/9',
        disc: '1/2',
        date: '1969',
        genre: 'Rock;Pop',
      },
    }),
    makeAudio(root, {
      path: 'Beatles/Abbey Road/CD1/02 Something.flac',
      tags: { title: 'Something', artist: 'The Beatles', album_artist: 'The Beatles', album: 'Abbey Road', track: '2', disc: '1', date: '1969' },
    }),
    makeAudio(root, {
      path: 'Beatles/Abbey Road/CD2/01 Because.ogg',
      tags: { title: 'Because', artist: 'The Beatles', album_artist: 'The Beatles', album: 'Abbey Road', track: '1', disc: '2', date: '1969' },
    }),
    makeAudio(root, { path: 'Hits/01.opus', tags: { title: 'Opus Hit', artist: 'Daft Punk feat. Pharrell Williams', album: 'Now Hits', compilation: '1' } }),
    makeAudio(root, {
      path: 'Hits/02.m4a',
      tags: { title: 'Café del Mar', artist: 'Energy 52', album: 'Now Hits', album_artist: 'Various Artists' },
      coverColor: 'blue',
    }),
    makeAudio(root, { path: 'Björk/Début/Human Behaviour.mp3', tags: { title: 'Human Behaviour', artist: 'Björk', album: 'Début', date: '1993-06-05' } }),
    makeAudio(root, { path: 'Loose/no tags at all.wav' }),
    makeAudio(root, { path: 'Loose/multi.flac', tags: { title: 'Together', artist: 'Simon & Garfunkel; AC/DC' } }),
    makeCorrupt(root, 'Broken/garbage.mp3'),
    makeCorrupt(root, 'Broken/empty.flac', ''),
    makeCorrupt(root, 'Broken/notes.txt', 'not an audio extension: ignored'),
  ]);
  status = await h.scan();
});

afterAll(async () => {
  await h?.close();
});

describe('initial scan', () => {
  it('counts files, tracks and unreadable files', () => {
    expect(status).toMatchObject({ state: 'IDLE', filesSeen: 10, filesParsed: 10, tracksAdded: 8, tracksRemoved: 0, errors: 2 });
  });

  it('reports the same status and stats through GraphQL', async () => {
    const r = await h.gql(
      '{ scanStatus { state filesSeen errors tracksAdded finishedAt } libraryStats { trackCount albumCount artistCount totalDuration totalBytes lastScanAt } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.scanStatus).toMatchObject({ state: 'IDLE', filesSeen: 10, errors: 2, tracksAdded: 8 });
    expect(r.data!.libraryStats).toMatchObject({ trackCount: 8, albumCount: 3 });
    expect(r.data!.libraryStats.totalDuration).toBeGreaterThan(7);
    expect(r.data!.libraryStats.lastScanAt).toBe(r.data!.scanStatus.finishedAt);
  });

  it('reads every format with its codec and mime type', async () => {
    const r = await h.gql(`{ tracks(first: 100) { totalCount edges { node { title format { container codec mimeType lossless } } } } }`);
    const byTitle = Object.fromEntries(r.data!.tracks.edges.map((e: any) => [e.node.title, e.node.format]));
    expect(byTitle['Come Together']).toMatchObject({ mimeType: 'audio/mpeg', lossless: false });
    expect(byTitle['Something']).toMatchObject({ codec: 'FLAC', mimeType: 'audio/flac', lossless: true });
    expect(byTitle['Because']).toMatchObject({ codec: 'Vorbis I', mimeType: 'audio/ogg' });
    expect(byTitle['Opus Hit']).toMatchObject({ codec: 'Opus', mimeType: 'audio/ogg' });
    expect(byTitle['Café del Mar'].mimeType).toBe('audio/mp4');
    expect(byTitle['no tags at all'].mimeType).toBe('audio/wav');
  });

  it('builds a multi-disc album ordered by disc and track with the folder cover', async () => {
    const search = await h.gql('{ search(query: "abbey") { albums { id } } }');
    const albumId = search.data!.search.albums[0].id;
    const r = await h.gql(
      `query($id: ID!) { album(id: $id) { title year genres discCount trackCount compilation artist { name sortName } tracks { title discNumber trackNumber } coverArt { url width height mimeType } } }`,
      { id: albumId },
    );
    const album = r.data!.album;
    expect(album).toMatchObject({
      title: 'Abbey Road',
      year: 1969,
      discCount: 2,
      trackCount: 3,
      compilation: false,
      artist: { name: 'The Beatles', sortName: 'Beatles, The' },
    });
    expect(album.genres).toEqual(['Rock', 'Pop']);
    expect(album.tracks.map((t: any) => t.title)).toEqual(['Come Together', 'Something', 'Because']);
    expect(album.coverArt).toMatchObject({ width: 300, height: 300, mimeType: 'image/jpeg' });
    expect(album.coverArt.url).toMatch(/^http:\/\/router\.test\/art\/[A-Za-z0-9_-]{32}$/);
  });

  it('puts compilations under Various Artists and splits featured artists', async () => {
    const r = await h.gql(
      `{ search(query: "now hits") { albums { title compilation artist { name } tracks { title artists { name } coverArt { width } } } } }`,
    );
    const album = r.data!.search.albums[0];
    expect(album).toMatchObject({ title: 'Now Hits', compilation: true, artist: { name: 'Various Artists' } });
    const opus = album.tracks.find((t: any) => t.title === 'Opus Hit');
    expect(opus.artists.map((a: any) => a.name)).toEqual(['Daft Punk', 'Pharrell Williams']);
    expect(opus.coverArt).toBeNull();
    expect(album.tracks.find((t: any) => t.title === 'Café del Mar').coverArt).toEqual({ width: 200 });
  });

  it('splits artists on "; " in tag order and keeps "&" or "/" names whole', async () => {
    const r = await h.gql(`{ search(query: "together") { tracks { title artists { name } album { id } } } }`);
    const t = r.data!.search.tracks.find((x: any) => x.title === 'Together');
    expect(t.artists.map((a: any) => a.name)).toEqual(['Simon & Garfunkel', 'AC/DC']);
    expect(t.album).toBeNull();
    const untitled = await h.gql(`{ search(query: "no tags") { tracks { title artists { name } } } }`);
    expect(untitled.data!.search.tracks[0]).toEqual({ title: 'no tags at all', artists: [{ name: 'Unknown Artist' }] });
  });

  it('searches case- and accent-insensitively by word prefix', async () => {
    const q = (query: string) => h.gql(`query($q: String!) { search(query: $q) { tracks { title } albums { title } artists { name } } }`, { q: query });
    expect((await q('BJORK')).data!.search.artists).toEqual([{ name: 'Björk' }]);
    expect((await q('debu')).data!.search.albums).toEqual([{ title: 'Début' }]);
    expect((await q('cafe mar')).data!.search.tracks).toEqual([{ title: 'Café del Mar' }]);
    expect((await q('behav björ')).data!.search.tracks).toEqual([{ title: 'Human Behaviour' }]);
    expect((await q('zzz')).data!.search).toEqual({ tracks: [], albums: [], artists: [] });
  });

  it('pages tracks with opaque cursors in every sort', async () => {
    for (const sort of ['TITLE', 'ARTIST', 'ALBUM', 'ADDED_AT', 'YEAR', 'DURATION']) {
      for (const direction of ['ASC', 'DESC']) {
        const seen: string[] = [];
        let after: string | null = null;
        for (;;) {
          const r: any = await h.gql(
            `query($after: String, $sort: TrackSort, $dir: SortDirection) { tracks(first: 3, after: $after, sort: $sort, direction: $dir) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`,
            { after, sort, dir: direction },
          );
          expect(r.errors).toBeUndefined();
          expect(r.data.tracks.totalCount).toBe(8);
          seen.push(...r.data.tracks.edges.map((e: any) => e.node.id));
          if (!r.data.tracks.pageInfo.hasNextPage) break;
          after = r.data.tracks.pageInfo.endCursor;
        }
        expect(new Set(seen).size).toBe(8);
      }
    }
    const titles = await h.gql('{ tracks(first: 3) { edges { node { title } } } }');
    expect(titles.data!.tracks.edges.map((e: any) => e.node.title)).toEqual(['Because', 'Café del Mar', 'Come Together']);
  });

  it('filters tracks by album, artist, genre and years', async () => {
    const ids = await h.gql(
      '{ byBoth: search(query: "abbey beatles") { albums { id } artists { id } } byName: search(query: "beatles") { artists { id name } } }',
    );
    const albumId = ids.data!.byBoth.albums[0].id;
    expect(ids.data!.byBoth.artists).toEqual([]);
    const artistId = ids.data!.byName.artists.find((a: any) => a.name === 'The Beatles').id;
    const count = async (filter: Record<string, unknown>) =>
      (await h.gql('query($f: TrackFilter) { tracks(filter: $f) { totalCount } }', { f: filter })).data!.tracks.totalCount;
    expect(await count({ albumId })).toBe(3);
    expect(await count({ artistId })).toBe(3);
    expect(await count({ genre: 'rock' })).toBe(1);
    expect(await count({ yearFrom: 1990 })).toBe(1);
    expect(await count({ yearFrom: 1960, yearTo: 1970 })).toBe(3);
    const artist = await h.gql(
      'query($id: ID!) { artist(id: $id) { albumCount trackCount coverArt { width } albums { totalCount } tracks(first: 2) { totalCount edges { node { title } } } } }',
      { id: artistId },
    );
    expect(artist.data!.artist).toMatchObject({ albumCount: 1, trackCount: 3, coverArt: { width: 300 }, albums: { totalCount: 1 }, tracks: { totalCount: 3 } });
  });

  it('rejects bad arguments with BAD_USER_INPUT', async () => {
    for (const query of [
      '{ tracks(first: 0) { totalCount } }',
      '{ tracks(first: 101) { totalCount } }',
      '{ albums(first: -1) { totalCount } }',
      '{ tracks(after: "nonsense") { totalCount } }',
      '{ search(query: "a", limit: 0) { tracks { id } } }',
    ]) {
      const r = await h.gql(query);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const first = await h.gql('{ tracks(first: 1, sort: TITLE) { pageInfo { endCursor } } }');
    const wrongList = await h.gql('query($a: String) { albums(after: $a) { totalCount } }', { a: first.data!.tracks.pageInfo.endCursor });
    expect(wrongList.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('requires a token, and ADMIN for startLibraryScan', async () => {
    expect((await h.gql('{ libraryStats { trackCount } }', {}, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const forbidden = await h.gql('mutation { startLibraryScan { state } }');
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const started = await h.gql('mutation { startLibraryScan(full: false) { state startedAt } }', {}, h.tokens.admin);
    expect(started.data!.startLibraryScan.state).toBe('RUNNING');
    const again = await h.gql('mutation { startLibraryScan { state startedAt } }', {}, h.tokens.admin);
    expect(again.data!.startLibraryScan).toEqual(started.data!.startLibraryScan);
    const done = await h.lib.scanner.idle();
    // Unchanged files are not parsed again, known-bad ones included (still counted as errors).
    expect(done).toMatchObject({ state: 'IDLE', filesSeen: 10, filesParsed: 0, tracksAdded: 0, tracksUpdated: 0, errors: 2 });
  });

  it('resolves entity references for the router', async () => {
    const ids = (await h.gql('{ tracks(first: 2) { edges { node { id album { id } } } } }')).data!.tracks.edges.map((e: any) => e.node.id);
    const r = await h.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Track { id title } } }`, {
      r: [...ids, 'tr_missing'].map((id: string) => ({ __typename: 'Track', id })),
    });
    expect(r.data!._entities.map((e: any) => e?.id ?? null)).toEqual([...ids, null]);
  });
});

describe('cover art', () => {
  it('serves images with ETag, immutable caching, 304 and bounded thumbnails', async () => {
    const r = await h.gql('{ search(query: "abbey") { albums { coverArt { url } } } }');
    const path = new URL(r.data!.search.albums[0].coverArt.url).pathname;
    const res = await fetch(`${h.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = res.headers.get('etag')!;
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    expect((await fetch(`${h.url}${path}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const thumb = await fetch(`${h.url}${path}?size=100`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('etag')).toBe(etag.replace(/"$/, '-128"'));
    const sharp = (await import('sharp')).default;
    expect(await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).toMatchObject({ width: 128, height: 128 });
    expect((await fetch(`${h.url}${path}?size=abc`)).status).toBe(400);
    expect((await fetch(`${h.url}/art/${'x'.repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${h.url}/art/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
  });
});

describe('gRPC Library', () => {
  it('answers GetTrackFile (to stream) and BatchGetTracks (to resource)', async () => {
    const client = createClient(LibraryClient, h.grpcAddress, testIdentity('stream'));
    const resource = createClient(LibraryClient, h.grpcAddress, testIdentity('resource'));
    try {
      const r = await h.gql('{ search(query: "something") { tracks { id duration } } }');
      const { id, duration } = r.data!.search.tracks[0];
      const file = await unaryCall(client.getTrackFile.bind(client), { trackId: id }, { deadlineMs: 2_000 });
      expect(file).toMatchObject({ trackId: id, mimeType: 'audio/flac', durationSeconds: duration });
      expect(file.path.endsWith('CD1/02 Something.flac')).toBe(true);
      expect(file.size).toBeGreaterThan(0);
      const missing = await unaryCall(client.getTrackFile.bind(client), { trackId: 'tr_nope' }, { deadlineMs: 2_000 }).catch((e: unknown) => e);
      expect((missing as { code?: number }).code).toBe(5);
      const batch = await unaryCall(resource.batchGetTracks.bind(resource), { ids: [id, 'tr_nope'] }, { deadlineMs: 2_000 });
      expect(batch.missingIds).toEqual(['tr_nope']);
      expect(batch.tracks[0]).toMatchObject({ id, title: 'Something', albumTitle: 'Abbey Road', artistNames: ['The Beatles'] });
      // Relative to the music folder, '/'-separated: what a playlist export lists.
      expect(batch.tracks[0]!.relativePath).toBe(relative(h.musicDir, file.path).split(sep).join('/'));
      expect(batch.tracks[0]!.relativePath.endsWith('CD1/02 Something.flac')).toBe(true);
      expect(batch.tracks[0]!.relativePath.startsWith('/')).toBe(false);
    } finally {
      client.close();
      resource.close();
    }
  });

  it('refuses GetTrackFile (file paths) to anyone but stream, and BatchGetTracks to anyone but resource', async () => {
    const r = await h.gql('{ search(query: "something") { tracks { id } } }');
    const id: string = r.data!.search.tracks[0].id;
    const anonymous = createClient(LibraryClient, h.grpcAddress, { authorizationFor: () => undefined });
    const resource = createClient(LibraryClient, h.grpcAddress, testIdentity('resource'));
    const router = createClient(LibraryClient, h.grpcAddress, testIdentity('router'));
    const stream = createClient(LibraryClient, h.grpcAddress, testIdentity('stream'));
    try {
      const file = (c: typeof anonymous) => unaryCall(c.getTrackFile.bind(c), { trackId: id }, { deadlineMs: 2_000 });
      await expect(file(anonymous)).rejects.toMatchObject({ code: grpcStatus.UNAUTHENTICATED });
      await expect(file(resource)).rejects.toMatchObject({
        code: grpcStatus.PERMISSION_DENIED,
        details: `resource may not call /ytm.library.v1.Library/GetTrackFile`,
      });
      await expect(file(router)).rejects.toMatchObject({ code: grpcStatus.PERMISSION_DENIED });
      await expect(unaryCall(stream.batchGetTracks.bind(stream), { ids: [id] }, { deadlineMs: 2_000 })).rejects.toMatchObject({
        code: grpcStatus.PERMISSION_DENIED,
      });
      await expect(file(stream)).resolves.toMatchObject({ trackId: id });
    } finally {
      for (const c of [anonymous, resource, router, stream]) c.close();
    }
  });
});
