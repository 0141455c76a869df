import { toAlbumChild, toAlbumId3, toChild } from '../format/entities.js';
import { ErrorCode, missing, SubsonicError } from '../format/response.js';
import { ALBUM_FIELDS, TRACK_FIELDS } from '../ytm/documents.js';
import type { Connection, GqlAlbum, GqlTrack } from '../ytm/model.js';
import { albumsByIds, tracksByIds } from '../ytm/tracks.js';
import type { Call, EndpointTable } from './endpoint.js';

const ALBUM_PAGE = `query($first: Int!, $after: String, $sort: AlbumSort!, $direction: SortDirection!, $filter: AlbumFilter) {
  albums(first: $first, after: $after, sort: $sort, direction: $direction, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${ALBUM_FIELDS} } } } }`;

const LIST_TYPES = ['random', 'newest', 'highest', 'frequent', 'recent', 'alphabeticalByName', 'alphabeticalByArtist', 'starred', 'byYear', 'byGenre'] as const;
type ListType = (typeof LIST_TYPES)[number];

async function albumsByListing(call: Call, sort: string, direction: 'ASC' | 'DESC', filter: Record<string, unknown> | null, offset: number, size: number) {
  const scope = `albums:${sort}:${direction}:${JSON.stringify(filter)}`;
  const { items } = await call.services.cursors.range<GqlAlbum>(scope, offset, size, async (first, after) => {
    const d = await call.gql<{ albums: Connection<GqlAlbum> }>(ALBUM_PAGE, { first, after, sort, direction, filter });
    return d.albums;
  });
  return items;
}

/** Albums of the viewer's recent plays, most played (`frequent`) or most recent (`recent`) first. */
async function albumsFromPlays(call: Call, by: 'frequent' | 'recent', offset: number, size: number): Promise<GqlAlbum[]> {
  const d = await call.gql<{ me: { recentlyPlayed: Array<{ track: { album: GqlAlbum | null } | null }> } }>(
    `{ me { recentlyPlayed(first: 100) { track { album { ${ALBUM_FIELDS} } } } } }`,
  );
  const seen = new Map<string, { album: GqlAlbum; plays: number; order: number }>();
  for (const [i, r] of d.me.recentlyPlayed.entries()) {
    const album = r.track?.album;
    if (!album) continue;
    const s = seen.get(album.id);
    if (s) s.plays += 1;
    else seen.set(album.id, { album, plays: 1, order: i });
  }
  const ranked = [...seen.values()].sort((a, b) => (by === 'frequent' ? b.plays - a.plays || a.order - b.order : a.order - b.order));
  return ranked.slice(offset, offset + size).map((s) => s.album);
}

async function albumList(call: Call): Promise<GqlAlbum[]> {
  const type = call.params.required('type') as ListType;
  if (!LIST_TYPES.includes(type)) throw new SubsonicError(ErrorCode.GENERIC, `Unknown list type: ${type}`);
  const size = call.params.int('size', 10, 1, 500);
  const offset = call.params.int('offset', 0, 0);
  switch (type) {
    case 'random': {
      const d = await call.gql<{ randomAlbums: GqlAlbum[] }>(`query($n: Int!) { randomAlbums(count: $n) { ${ALBUM_FIELDS} } }`, { n: size });
      return d.randomAlbums;
    }
    case 'newest':
      return albumsByListing(call, 'ADDED_AT', 'DESC', null, offset, size);
    case 'alphabeticalByName':
      return albumsByListing(call, 'TITLE', 'ASC', null, offset, size);
    case 'alphabeticalByArtist':
      return albumsByListing(call, 'ARTIST', 'ASC', null, offset, size);
    case 'byYear': {
      if (!call.params.has('fromYear')) throw missing('fromYear');
      if (!call.params.has('toYear')) throw missing('toYear');
      const from = call.params.requiredInt('fromYear', 0, 9999);
      const to = call.params.requiredInt('toYear', 0, 9999);
      const filter = { yearFrom: Math.min(from, to), yearTo: Math.max(from, to) };
      return albumsByListing(call, 'YEAR', from > to ? 'DESC' : 'ASC', filter, offset, size);
    }
    case 'byGenre':
      return albumsByListing(call, 'TITLE', 'ASC', { genre: call.params.requiredText('genre') }, offset, size);
    case 'frequent':
    case 'recent':
      return albumsFromPlays(call, type, offset, size);
    case 'starred':
    case 'highest': {
      // The viewer's starred albums (newest star first) or rated ones (highest first).
      const notes = await call.notes();
      const ids = type === 'starred' ? notes.starred('album') : notes.rated('album');
      return albumsByIds(call.gql, ids.slice(offset, offset + size));
    }
  }
}

async function randomSongs(call: Call, filter: Record<string, unknown>, count: number): Promise<GqlTrack[]> {
  const d = await call.gql<{ randomTracks: GqlTrack[] }>(`query($f: TrackFilter, $n: Int!) { randomTracks(filter: $f, count: $n) { ${TRACK_FIELDS} } }`, {
    f: filter,
    n: count,
  });
  return d.randomTracks;
}

export const listEndpoints: EndpointTable = {
  getAlbumList2: {
    handler: async (call) => {
      const [albums, notes] = await Promise.all([albumList(call), call.notes()]);
      return { albumList2: { album: albums.map((a) => toAlbumId3(a, notes)) } };
    },
  },
  getAlbumList: {
    handler: async (call) => {
      const [albums, notes] = await Promise.all([albumList(call), call.notes()]);
      return { albumList: { album: albums.map((a) => toAlbumChild(a, notes)) } };
    },
  },
  getRandomSongs: {
    handler: async (call) => {
      const size = call.params.int('size', 10, 1, 500);
      const genre = call.params.text('genre');
      const from = call.params.optionalInt('fromYear', 0, 9999);
      const to = call.params.optionalInt('toYear', 0, 9999);
      const filter = { ...(genre ? { genre } : {}), ...(from !== undefined ? { yearFrom: from } : {}), ...(to !== undefined ? { yearTo: to } : {}) };
      if (from !== undefined && to !== undefined && from > to) return { randomSongs: { song: [] } };
      const [songs, notes] = await Promise.all([randomSongs(call, filter, size), call.notes()]);
      return { randomSongs: { song: songs.map((t) => toChild(t, notes)) } };
    },
  },
  getSongsByGenre: {
    handler: async (call) => {
      const genre = call.params.requiredText('genre');
      const count = call.params.int('count', 10, 1, 500);
      const offset = call.params.int('offset', 0, 0);
      const { items } = await call.services.cursors.range<GqlTrack>(`genre:${genre}`, offset, count, async (first, after) => {
        const d = await call.gql<{ tracks: Connection<GqlTrack> }>(
          `query($first: Int!, $after: String, $genre: String!) { tracks(first: $first, after: $after, sort: ALBUM, filter: { genre: $genre }) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${TRACK_FIELDS} } } } }`,
          { first, after, genre },
        );
        return d.tracks;
      });
      const notes = await call.notes();
      return { songsByGenre: { song: items.map((t) => toChild(t, notes)) } };
    },
  },
  getNowPlaying: {
    handler: async (call) => {
      const entries = call.services.nowPlaying.list();
      const [found, notes] = await Promise.all([tracksByIds(call.gql, [...new Set(entries.map((e) => e.trackId))]), call.notes()]);
      const tracks = new Map(found.map((t) => [t.id, t]));
      const now = Date.now();
      const entry = entries.flatMap((e, i) => {
        const t = tracks.get(e.trackId);
        return t
          ? [{ ...toChild(t, notes), username: e.username, minutesAgo: Math.floor((now - e.at) / 60_000), playerId: i + 1, playerName: e.playerName }]
          : [];
      });
      return { nowPlaying: { entry } };
    },
  },
  getTopSongs: {
    handler: async (call) => {
      const name = call.params.required('artist');
      const count = call.params.int('count', 50, 1, 500);
      const d = await call.gql<{ search: { artists: Array<{ id: string; name: string }> } }>(
        'query($q: String!) { search(query: $q, limit: 10) { artists { id name } } }',
        {
          q: name.slice(0, 200),
        },
      );
      const artist = d.search.artists.find((a) => a.name.toLowerCase() === name.toLowerCase());
      if (!artist) return { topSongs: {} };
      const t = await call.gql<{ artist: { tracks: Connection<GqlTrack & { playCount: number }> } | null }>(
        `query($id: ID!) { artist(id: $id) { tracks(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${TRACK_FIELDS} playCount } } } } }`,
        { id: artist.id },
      );
      const tracks = (t.artist?.tracks.edges ?? []).map((e) => e.node).sort((a, b) => b.playCount - a.playCount);
      const notes = await call.notes();
      return { topSongs: { song: tracks.slice(0, count).map((tr) => toChild(tr, notes)) } };
    },
  },
  // YTM has no similarity data: an empty list, as the spec allows.
  getSimilarSongs2: {
    handler: async (call) => {
      call.params.required('id');
      return { similarSongs2: {} };
    },
  },
  getArtistInfo2: {
    handler: async (call) => {
      const d = await call.gql<{ artist: { coverArt: { url: string } | null } | null }>('query($id: ID!) { artist(id: $id) { coverArt { url } } }', {
        id: call.params.required('id'),
      });
      if (!d.artist) throw new SubsonicError(ErrorCode.NOT_FOUND, 'Artist not found');
      const url = d.artist.coverArt?.url;
      return { artistInfo2: url ? { smallImageUrl: `${url}?size=150`, mediumImageUrl: `${url}?size=300`, largeImageUrl: url } : {} };
    },
  },
  getAlbumInfo2: {
    handler: async (call) => {
      const d = await call.gql<{ album: { coverArt: { url: string } | null } | null }>('query($id: ID!) { album(id: $id) { coverArt { url } } }', {
        id: call.params.required('id'),
      });
      if (!d.album) throw new SubsonicError(ErrorCode.NOT_FOUND, 'Album not found');
      const url = d.album.coverArt?.url;
      return { albumInfo: url ? { smallImageUrl: `${url}?size=150`, mediumImageUrl: `${url}?size=300`, largeImageUrl: url } : {} };
    },
  },
};
