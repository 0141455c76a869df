// What the benchmark sends: every query of the web app's pages (web/src's own documents, see
// documents.mjs) with variables a listener would send, plus the two reads of issue 20's targets.
// Each spec: { name, op (web operation or null), query, page, target (p95 ms), vars(i, user),
// admin (sent as the admin), check(data, user) (throws on a wrong answer), after(data, i) }.
import { webDocuments } from './documents.mjs';

const PAGE_P95_MS = 50;
const HOT_P95_MS = 20;

const PLAY_COUNTS = `query PlayCounts($sort: TrackSort!, $after: String) {
  tracks(first: 50, sort: $sort, after: $after) { edges { node { id playCount } } pageInfo { hasNextPage endCursor } }
}`;
const TRACK_IDS = `query TrackIds($sort: TrackSort!, $after: String) {
  tracks(first: 50, sort: $sort, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
}`;
const RECENT_50 = `query Recent50 { me { id recentlyPlayed(first: 50) { playedAt completed track { id } } } }`;

/** Walks pages of a connection per key, back to the first page every `depth` pages. */
function walker(depth = 5) {
  const at = new Map();
  return {
    after: (key) => at.get(key)?.cursor ?? null,
    saw: (key, pageInfo) => {
      const n = (at.get(key)?.n ?? 0) + 1;
      at.set(key, pageInfo.hasNextPage && n < depth ? { cursor: pageInfo.endCursor, n } : { cursor: null, n: 0 });
    },
  };
}

const expect = (ok, what) => {
  if (!ok) throw new Error(`unexpected answer: ${what}`);
};

/**
 * `catalogue`: { trackIds, titles, albumIds, albumArtistIds, artistIds } of the seeded library;
 * `pick(n)`: a pseudo-random index below n; `users`: how many listeners there are. Users carry { userId, playlists: [{ id, size }], bigPlaylistCursor }.
 */
export function querySpecs(webSrc, catalogue, pick, { users }) {
  const docs = webDocuments(webSrc);
  const web = (name) => {
    const d = docs.get(name);
    if (!d) throw new Error(`web/src has no query ${name}`);
    return d.query;
  };
  const albumSorts = [
    ['ADDED_AT', 'DESC'],
    ['TITLE', 'ASC'],
    ['ARTIST', 'ASC'],
    ['YEAR', 'DESC'],
  ];
  const trackSorts = [
    ['TITLE', 'ASC'],
    ['ARTIST', 'ASC'],
    ['ALBUM', 'ASC'],
    ['ADDED_AT', 'DESC'],
    ['YEAR', 'ASC'],
    ['DURATION', 'DESC'],
  ];
  const walks = { albums: walker(), artists: walker(), tracks: walker(), counts: walker(20), ids: walker(20) };
  const word = () => {
    const words = catalogue.titles[pick(catalogue.titles.length)].split(' ');
    return words[pick(words.length)];
  };
  const artistId = (i) => (i % 2 ? catalogue.artistIds[pick(catalogue.artistIds.length)] : catalogue.albumArtistIds[pick(catalogue.albumArtistIds.length)]);
  const page = (name, extra) => ({ name, op: name, query: web(name), page: true, target: PAGE_P95_MS, ...extra });
  return [
    page('Albums', {
      vars: (i) => {
        const [sort, direction] = albumSorts[i % albumSorts.length];
        return { sort, direction, after: walks.albums.after(sort) };
      },
      after: (d, i) => walks.albums.saw(albumSorts[i % albumSorts.length][0], d.albums.pageInfo),
      check: (d) => expect(d.albums.edges.length > 0, 'an albums page'),
    }),
    page('Artists', {
      vars: () => ({ after: walks.artists.after('name') }),
      after: (d) => walks.artists.saw('name', d.artists.pageInfo),
      check: (d) => expect(d.artists.edges.length > 0, 'an artists page'),
    }),
    page('Tracks', {
      vars: (i) => {
        const [sort, direction] = trackSorts[i % trackSorts.length];
        return { sort, direction, filter: null, after: walks.tracks.after(sort) };
      },
      after: (d, i) => walks.tracks.saw(trackSorts[i % trackSorts.length][0], d.tracks.pageInfo),
      check: (d) => expect(d.tracks.edges.length > 0, 'a tracks page'),
    }),
    page('Album', {
      vars: () => ({ id: catalogue.albumIds[pick(catalogue.albumIds.length)] }),
      check: (d) => expect(d.album?.tracks.length > 0, 'album with tracks'),
    }),
    page('AlbumTracks', {
      vars: () => ({ id: catalogue.albumIds[pick(catalogue.albumIds.length)] }),
      check: (d) => expect(d.album?.tracks.length > 0, 'album tracks'),
    }),
    page('Artist', {
      vars: (i) => ({ id: artistId(i) }),
      check: (d) => expect(d.artist && d.artist.tracks.edges.length + d.artist.albums.edges.length > 0, 'artist with tracks or albums'),
    }),
    page('Search', { vars: () => ({ query: word(), limit: 25 }), check: (d) => expect(d.search.tracks.length > 0, 'search finds tracks') }),
    page('LikedTracks', { vars: () => ({ after: null }), check: (d) => expect(d.me.likedTracks.edges.length === 100, 'a heavy listener’s first 100 likes') }),
    page('MyPlaylists', { check: (d, u) => expect(d.me.playlists.totalCount === u.playlists.length, 'the listener’s playlists') }),
    page('Playlist', {
      vars: (i, u) => ({ id: u.playlists[i % u.playlists.length].id }),
      check: (d, u) => expect(d.playlist?.owner.id === u.userId && d.playlist.items.edges.length > 0, 'own playlist with items'),
    }),
    page('PlaylistItemsAfter', {
      vars: (i, u) => (u.bigPlaylist ? { id: u.bigPlaylist.id, after: u.bigPlaylist.cursor } : null),
      check: (d) => expect(d.playlist?.items.edges.length > 0, 'the rest of a big playlist'),
    }),
    page('RecentlyPlayed', { check: (d) => expect(d.me.recentlyPlayed.length === 50, '50 recent plays') }),
    page('Account', { check: (d, u) => expect(d.me.id === u.userId, 'me is the listener') }),
    page('ApiKeys', { check: (d) => expect(Array.isArray(d.me.apiKeys), 'api keys') }),
    page('PlaybackQuota', { check: (d) => expect(d.me.playbackQuota.tier === 'FREE', 'quota') }),
    page('TrackLiked', {
      vars: () => ({ id: catalogue.trackIds[pick(catalogue.trackIds.length)] }),
      check: (d) => expect(typeof d.track?.liked === 'boolean', 'liked'),
    }),
    // The admin's pages: measured, without a target (issue 20 lists the listener's pages).
    page('AdminUsers', {
      admin: true,
      target: null,
      vars: (i) => ({ search: i % 2 ? `listener${pick(users)}@` : null, after: null }),
      check: (d) => expect(d.users.edges.length > 0, 'users page'),
    }),
    page('LibraryAdmin', { admin: true, target: null, check: (d) => expect(d.libraryStats.trackCount === catalogue.trackIds.length, 'library stats') }),
    {
      name: 'playCount, a page of 50',
      op: null,
      query: PLAY_COUNTS,
      target: HOT_P95_MS,
      vars: (i) => ({ sort: trackSorts[i % 2][0], after: walks.counts.after(i % 2) }),
      after: (d, i) => walks.counts.saw(i % 2, d.tracks.pageInfo),
      check: (d) => expect(d.tracks.edges.length === 50, '50 play counts'),
    },
    {
      name: '  control: the same page, ids only',
      op: null,
      query: TRACK_IDS,
      target: null,
      vars: (i) => ({ sort: trackSorts[i % 2][0], after: walks.ids.after(i % 2) }),
      after: (d, i) => walks.ids.saw(i % 2, d.tracks.pageInfo),
      check: (d) => expect(d.tracks.edges.length === 50, '50 tracks'),
    },
    {
      name: 'recentlyPlayed(first: 50)',
      op: null,
      query: RECENT_50,
      target: HOT_P95_MS,
      check: (d) => expect(d.me.recentlyPlayed.length === 50, '50 recent plays'),
    },
  ];
}
