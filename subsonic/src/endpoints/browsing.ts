import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { indexLetter, toAlbumChild, toAlbumId3, toArtistId3, toChild } from '../format/entities.js';
import { render, renderKey } from '../format/render.js';
import { notFound } from '../format/response.js';
import { ALBUM_FIELDS, ARTIST_FIELDS, TRACK_FIELDS } from '../ytm/documents.js';
import type { Connection, GqlAlbum, GqlArtist, GqlTrack } from '../ytm/model.js';
import { BINARY, type Call, type EndpointTable } from './endpoint.js';
import { MUSIC_FOLDER } from './system.js';

const gzipped = promisify(gzip);

const IGNORED_ARTICLES = 'The El La Los Las Le Les';

function byLetter(artists: GqlArtist[], entry: (a: GqlArtist) => Record<string, unknown>) {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const a of artists) {
    const letter = indexLetter(a.sortName);
    let list = groups.get(letter);
    if (!list) groups.set(letter, (list = []));
    list.push(entry(a));
  }
  return [...groups.entries()].sort(([a], [b]) => (a === '#' ? 1 : b === '#' ? -1 : a < b ? -1 : 1)).map(([name, artist]) => ({ name, artist }));
}

export async function albumWithTracks(call: Call, id: string): Promise<GqlAlbum & { tracks: GqlTrack[] }> {
  const d = await call.gql<{ album: (GqlAlbum & { tracks: GqlTrack[] }) | null }>(
    `query($id: ID!) { album(id: $id) { ${ALBUM_FIELDS} tracks { ${TRACK_FIELDS} } } }`,
    {
      id,
    },
  );
  if (!d.album) throw notFound('Album');
  return d.album;
}

async function artistWithAlbums(call: Call, id: string): Promise<{ artist: GqlArtist; albums: GqlAlbum[] }> {
  const albums: GqlAlbum[] = [];
  let artist: GqlArtist | undefined;
  let after: string | null = null;
  for (;;) {
    const d: { artist: (GqlArtist & { albums: Connection<GqlAlbum> }) | null } = await call.gql(
      `query($id: ID!, $after: String) { artist(id: $id) { ${ARTIST_FIELDS} albums(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${ALBUM_FIELDS} } } } } }`,
      { id, after },
    );
    if (!d.artist) throw notFound('Artist');
    artist = d.artist;
    for (const e of d.artist.albums.edges) albums.push(e.node);
    if (!d.artist.albums.pageInfo.hasNextPage) break;
    after = d.artist.albums.pageInfo.endCursor;
  }
  return { artist, albums };
}

/**
 * Rendered getArtists answers per artist list (a refresh makes a new list), keyed by format and the
 * viewer's artist notes: at 100,000 tracks the list has ~18,000 artists (~2 MB), which take tens of
 * milliseconds to group and write, and the same list, notes and format give the same bytes. Kept
 * as bytes, and gzipped once (a tenth of the size) for the clients that accept it, as apps do.
 */
interface RenderedArtists {
  type: string;
  body: Buffer;
  gzip?: Buffer;
}
const renderedArtists = new WeakMap<GqlArtist[], Map<string, RenderedArtists>>();
const MAX_RENDERED = 64;

export const browsingEndpoints: EndpointTable = {
  getArtists: {
    handler: async (call) => {
      const [artists, notes] = await Promise.all([call.services.artistIndex.all(call.gql), call.notes()]);
      let cache = renderedArtists.get(artists);
      if (!cache) renderedArtists.set(artists, (cache = new Map<string, RenderedArtists>()));
      const key = `${renderKey(call.params)}|${notes.signature('artist')}`;
      let rendered = cache.get(key);
      if (!rendered) {
        const payload = { artists: { ignoredArticles: IGNORED_ARTICLES, index: byLetter(artists, (a) => toArtistId3(a, notes)) } };
        const { type, body } = render(call.params, call.services.serverVersion, 'ok', payload);
        rendered = { type, body: Buffer.from(body) };
        if (cache.size >= MAX_RENDERED) cache.clear();
        cache.set(key, rendered);
      }
      call.koa.status = 200;
      call.koa.type = rendered.type;
      call.koa.vary('Accept-Encoding');
      if (call.koa.acceptsEncodings('gzip', 'identity') === 'gzip') {
        rendered.gzip ??= await gzipped(rendered.body);
        call.koa.set('Content-Encoding', 'gzip');
        call.koa.body = rendered.gzip;
      } else call.koa.body = rendered.body;
      return BINARY;
    },
  },
  getIndexes: {
    handler: async (call) => {
      const since = call.params.optionalInt('ifModifiedSince', 0);
      const [artists, notes] = await Promise.all([call.services.artistIndex.all(call.gql), call.notes()]);
      const lastModified = call.services.artistIndex.lastModified;
      const index = since !== undefined && since >= lastModified ? [] : byLetter(artists, (a) => ({ id: a.id, name: a.name, ...notes.of('artist', a.id) }));
      return { indexes: { ignoredArticles: IGNORED_ARTICLES, lastModified, index } };
    },
  },
  getArtist: {
    handler: async (call) => {
      const [{ artist, albums }, notes] = await Promise.all([artistWithAlbums(call, call.params.required('id')), call.notes()]);
      return { artist: { ...toArtistId3(artist, notes), album: albums.map((a) => toAlbumId3(a, notes)) } };
    },
  },
  getAlbum: {
    handler: async (call) => {
      const [album, notes] = await Promise.all([albumWithTracks(call, call.params.required('id')), call.notes()]);
      return { album: { ...toAlbumId3(album, notes), song: album.tracks.map((t) => toChild(t, notes)) } };
    },
  },
  getSong: {
    handler: async (call) => {
      const id = call.params.required('id');
      const [d, notes] = await Promise.all([
        call.gql<{ track: GqlTrack | null }>(`query($id: ID!) { track(id: $id) { ${TRACK_FIELDS} playCount } }`, { id }),
        call.notes(),
      ]);
      if (!d.track) throw notFound('Song');
      return { song: toChild(d.track, notes) };
    },
  },
  getGenres: {
    handler: async (call) => {
      const d = await call.gql<{ genres: Array<{ name: string; trackCount: number; albumCount: number }> }>('{ genres { name trackCount albumCount } }');
      return { genres: { genre: d.genres.map((g) => ({ value: g.name, songCount: g.trackCount, albumCount: g.albumCount })) } };
    },
  },
  // Folder-style browsing (DSub): the music folder lists artists, an artist its albums, an album its songs.
  getMusicDirectory: {
    handler: async (call) => {
      const id = call.params.required('id');
      const notes = await call.notes();
      if (id === String(MUSIC_FOLDER.id)) {
        const artists = await call.services.artistIndex.all(call.gql);
        const child = artists.map((a) => ({ id: a.id, parent: id, isDir: true, title: a.name, artist: a.name, ...notes.of('artist', a.id) }));
        return { directory: { id, name: MUSIC_FOLDER.name, child } };
      }
      if (id.startsWith('al_')) {
        const album = await albumWithTracks(call, id);
        const child = album.tracks.map((t) => toChild(t, notes));
        return { directory: { id, parent: album.artist.id, name: album.title, child, ...notes.of('album', id) } };
      }
      if (!id.startsWith('ar_')) throw notFound('Directory');
      const { artist, albums } = await artistWithAlbums(call, id);
      const child = albums.map((a) => toAlbumChild(a, notes));
      return { directory: { id, parent: String(MUSIC_FOLDER.id), name: artist.name, child, ...notes.of('artist', id) } };
    },
  },
};
