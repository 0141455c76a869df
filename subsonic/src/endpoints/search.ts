import { toAlbumChild, toAlbumId3, toArtistId3, toChild } from '../format/entities.js';
import { missing } from '../format/response.js';
import { ALBUM_FIELDS, ARTIST_FIELDS, TRACK_FIELDS } from '../ytm/documents.js';
import type { Connection, GqlAlbum, GqlArtist, GqlTrack } from '../ytm/model.js';
import type { Call, EndpointTable } from './endpoint.js';

/** The GraphQL search answers at most this many per kind, and has no cursor or offset: offsets page within them (README, "Search"). */
const SEARCH_LIMIT = 50;

const TRACK_PAGE = `query($first: Int!, $after: String) { tracks(first: $first, after: $after, sort: ADDED_AT) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${TRACK_FIELDS} } } } }`;
const ALBUM_PAGE = `query($first: Int!, $after: String) { albums(first: $first, after: $after, sort: ADDED_AT) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${ALBUM_FIELDS} } } } }`;

interface Window {
  count: number;
  offset: number;
}

function windows(call: Call) {
  const w = (kind: string): Window => ({ count: call.params.int(`${kind}Count`, 20, 0, 10_000), offset: call.params.int(`${kind}Offset`, 0, 0) });
  return { artist: w('artist'), album: w('album'), song: w('song') };
}

/**
 * An empty query (or `""`, as some clients send) lists the whole library, page by page: how
 * clients such as Symfonium sync. Songs and albums come oldest first, so new ones land at the end.
 */
async function everything(call: Call, w: ReturnType<typeof windows>) {
  const { cursors } = call.services;
  const [artists, albums, songs] = await Promise.all([
    w.artist.count === 0 ? [] : call.services.artistIndex.all(call.gql).then((all) => all.slice(w.artist.offset, w.artist.offset + w.artist.count)),
    w.album.count === 0
      ? []
      : cursors
          .range<GqlAlbum>(
            'sync:albums',
            w.album.offset,
            w.album.count,
            async (first, after) => (await call.gql<{ albums: Connection<GqlAlbum> }>(ALBUM_PAGE, { first, after })).albums,
          )
          .then((r) => r.items),
    w.song.count === 0
      ? []
      : cursors
          .range<GqlTrack>(
            'sync:tracks',
            w.song.offset,
            w.song.count,
            async (first, after) => (await call.gql<{ tracks: Connection<GqlTrack> }>(TRACK_PAGE, { first, after })).tracks,
          )
          .then((r) => r.items),
  ]);
  return { artists, albums, songs };
}

async function matching(call: Call, query: string, w: ReturnType<typeof windows>) {
  const limit = Math.min(SEARCH_LIMIT, Math.max(1, ...[w.artist, w.album, w.song].map((x) => x.offset + x.count)));
  const d = await call.gql<{ search: { artists: GqlArtist[]; albums: GqlAlbum[]; tracks: GqlTrack[] } }>(
    `query($q: String!, $n: Int!) { search(query: $q, limit: $n) { artists { ${ARTIST_FIELDS} } albums { ${ALBUM_FIELDS} } tracks { ${TRACK_FIELDS} } } }`,
    { q: query.slice(0, 200), n: limit },
  );
  const cut = <T>(list: T[], x: Window) => list.slice(x.offset, x.offset + x.count);
  return { artists: cut(d.search.artists, w.artist), albums: cut(d.search.albums, w.album), songs: cut(d.search.tracks, w.song) };
}

async function search(call: Call) {
  if (!call.params.has('query')) throw missing('query');
  const raw = (call.params.get('query') ?? '').trim();
  const query = raw === '""' || raw === "''" ? '' : raw.replace(/\*/g, ' ').trim();
  const w = windows(call);
  return query === '' ? everything(call, w) : matching(call, query, w);
}

export const searchEndpoints: EndpointTable = {
  search3: {
    handler: async (call) => {
      const [r, notes] = await Promise.all([search(call), call.notes()]);
      return {
        searchResult3: {
          artist: r.artists.map((a) => toArtistId3(a, notes)),
          album: r.albums.map((a) => toAlbumId3(a, notes)),
          song: r.songs.map((t) => toChild(t, notes)),
        },
      };
    },
  },
  search2: {
    handler: async (call) => {
      const [r, notes] = await Promise.all([search(call), call.notes()]);
      return {
        searchResult2: {
          artist: r.artists.map((a) => ({ id: a.id, name: a.name, ...notes.of('artist', a.id) })),
          album: r.albums.map((a) => toAlbumChild(a, notes)),
          song: r.songs.map((t) => toChild(t, notes)),
        },
      };
    },
  },
};
