import { coverArtId, toChild } from '../format/entities.js';
import { ErrorCode, missing, notFound, SubsonicError } from '../format/response.js';
import { TRACK_FIELDS } from '../ytm/documents.js';
import type { Connection, GqlTrack } from '../ytm/model.js';
import { mapBounded } from '../ytm/bounded.js';
import { assertTracksExist, MAX_SONGS } from '../ytm/tracks.js';
import type { Call, EndpointTable } from './endpoint.js';

interface GqlPlaylist {
  id: string;
  name: string;
  description: string | null;
  visibility: 'PRIVATE' | 'PUBLIC';
  version: number;
  trackCount: number;
  createdAt: string;
  updatedAt: string;
  owner: { id: string; displayName: string };
}
interface Item {
  id: string;
  track: GqlTrack | null;
}
type VisibleItem = Item & { track: GqlTrack };

const PLAYLIST_FIELDS = 'id name description visibility version trackCount createdAt updatedAt owner { id displayName }';
const ITEMS = `query($id: ID!, $after: String) { playlist(id: $id) { ${PLAYLIST_FIELDS} items(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id track { ${TRACK_FIELDS} } } } } } }`;
/** The viewer's playlists, 100 a page. */
const LISTING = `query($after: String) { me { playlists(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${PLAYLIST_FIELDS} } } } } }`;
/** A playlist's songs as its listing needs them: only whether each is still there, how long, a cover. */
const SONGS = `query($id: ID!, $after: String) { playlist(id: $id) { items(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { track { duration coverArt { url } } } } } } }`;
type SongFacts = Pick<GqlTrack, 'duration' | 'coverArt'>;

/**
 * The items a client sees, in order: those whose song is still in the library (an item whose
 * track left it reads as `track: null`). getPlaylist lists them, and `songIndexToRemove` counts in them.
 */
const visible = (items: readonly Item[]): VisibleItem[] => items.filter((i): i is VisibleItem => i.track !== null);

/** A playlist with all its items (paged through), or error 70 when missing or not readable. */
async function loadPlaylist(call: Call, id: string): Promise<{ playlist: GqlPlaylist; items: Item[] }> {
  const items: Item[] = [];
  let after: string | null = null;
  let playlist: GqlPlaylist | undefined;
  for (;;) {
    const d: { playlist: (GqlPlaylist & { items: Connection<Item> }) | null } = await call.gql(ITEMS, { id, after });
    if (!d.playlist) throw notFound('Playlist');
    playlist = d.playlist;
    for (const e of d.playlist.items.edges) items.push(e.node);
    if (!d.playlist.items.pageInfo.hasNextPage) break;
    after = d.playlist.items.pageInfo.endCursor;
  }
  return { playlist, items };
}

/** What a Subsonic playlist says of its songs: how many, how long (seconds), a cover. */
interface Songs {
  songCount: number;
  duration: number;
  coverArt: { url: string } | null | undefined;
}

function toPlaylist(call: Call, p: GqlPlaylist, songs: Songs): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    comment: p.description ?? undefined,
    owner: p.owner.id === call.principal.userId ? call.principal.email : p.owner.displayName,
    public: p.visibility === 'PUBLIC',
    songCount: songs.songCount,
    duration: songs.duration,
    created: p.createdAt,
    changed: p.updatedAt,
    coverArt: coverArtId(songs.coverArt),
    readonly: p.owner.id !== call.principal.userId && call.principal.role !== 'ADMIN',
  };
}

/** What the songs still in the library add up to. */
function songsOf(tracks: readonly SongFacts[]): Songs {
  return {
    songCount: tracks.length,
    duration: Math.round(tracks.reduce((s, t) => s + t.duration, 0)),
    coverArt: tracks.find((t) => t.coverArt)?.coverArt,
  };
}

/** A playlist's songs for its listing, paged through (a playlist gone meanwhile: none). */
async function listingSongs(call: Call, id: string): Promise<Songs> {
  const tracks: SongFacts[] = [];
  let after: string | null = null;
  for (;;) {
    const d: { playlist: { items: Connection<{ track: SongFacts | null }> } | null } = await call.gql(SONGS, { id, after });
    if (!d.playlist) break;
    for (const e of d.playlist.items.edges) if (e.node.track) tracks.push(e.node.track);
    if (!d.playlist.items.pageInfo.hasNextPage) break;
    after = d.playlist.items.pageInfo.endCursor;
  }
  return songsOf(tracks);
}

async function withSongs(call: Call, id: string) {
  const [{ playlist, items }, notes] = await Promise.all([loadPlaylist(call, id), call.notes()]);
  const tracks = visible(items).map((i) => i.track);
  return { playlist: { ...toPlaylist(call, playlist, songsOf(tracks)), entry: tracks.map((t) => toChild(t, notes)) } };
}

const ADD = 'mutation($id: ID!, $ids: [ID!]!, $v: Int) { addTracksToPlaylist(id: $id, trackIds: $ids, expectedVersion: $v) { version } }';
const REMOVE = 'mutation($id: ID!, $ids: [ID!]!, $v: Int) { removePlaylistItems(id: $id, itemIds: $ids, expectedVersion: $v) { version } }';

export const playlistEndpoints: EndpointTable = {
  getPlaylists: {
    handler: async (call) => {
      const username = call.params.get('username');
      if (username && username.toLowerCase() !== call.principal.email.toLowerCase()) {
        throw new SubsonicError(ErrorCode.NOT_AUTHORIZED, "Listing another user's playlists is not supported");
      }
      // The playlists 100 a call; then each one's songs (count, duration and cover as getPlaylist
      // has them), a few playlists at a time (mapBounded), only the fields those need.
      const listed: GqlPlaylist[] = [];
      let after: string | null = null;
      for (;;) {
        const d: { me: { playlists: Connection<GqlPlaylist> } } = await call.gql(LISTING, { after });
        for (const { node } of d.me.playlists.edges) listed.push(node);
        if (!d.me.playlists.pageInfo.hasNextPage) break;
        after = d.me.playlists.pageInfo.endCursor;
      }
      const playlists = await mapBounded(listed, async (p) => toPlaylist(call, p, await listingSongs(call, p.id)));
      return { playlists: { playlist: playlists } };
    },
  },
  getPlaylist: { handler: async (call) => withSongs(call, call.params.required('id')) },
  createPlaylist: {
    handler: async (call) => {
      const songIds = call.params.ids('songId', MAX_SONGS, `A playlist holds at most ${MAX_SONGS.toLocaleString('en-US')} songs`);
      await assertTracksExist(call.gql, songIds);
      const existing = call.params.get('playlistId');
      if (existing) {
        // Replaces the songs of an existing playlist (the spec's "update" form).
        const { playlist, items } = await loadPlaylist(call, existing);
        let version = playlist.version;
        if (items.length > 0)
          version = (await call.gql<{ removePlaylistItems: { version: number } }>(REMOVE, { id: existing, ids: items.map((i) => i.id), v: version }))
            .removePlaylistItems.version;
        if (songIds.length > 0) await call.gql(ADD, { id: existing, ids: songIds, v: version });
        return withSongs(call, existing);
      }
      const name = call.params.get('name');
      if (!name) throw missing('name');
      const created = await call.gql<{ createPlaylist: { id: string; version: number } }>(
        'mutation($name: String!) { createPlaylist(input: { name: $name }) { id version } }',
        { name },
      );
      const id = created.createPlaylist.id;
      if (songIds.length > 0) {
        try {
          await call.gql(ADD, { id, ids: songIds, v: created.createPlaylist.version });
        } catch (err) {
          // Unknown songs: nothing is left behind.
          await call.gql('mutation($id: ID!) { deletePlaylist(id: $id) }', { id }).catch(() => undefined);
          throw err;
        }
      }
      return withSongs(call, id);
    },
  },
  updatePlaylist: {
    handler: async (call) => {
      const id = call.params.required('playlistId');
      const toAdd = call.params.ids('songIdToAdd', MAX_SONGS, `A playlist holds at most ${MAX_SONGS.toLocaleString('en-US')} songs`);
      const { playlist, items } = await loadPlaylist(call, id);
      const shown = visible(items);
      let version = playlist.version;
      const name = call.params.get('name');
      const comment = call.params.get('comment');
      const isPublic = call.params.has('public') ? call.params.bool('public', false) : undefined;
      const toRemove = call.params.all('songIndexToRemove').map((raw) => {
        const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
        if (!(n >= 0 && n < shown.length)) throw new SubsonicError(ErrorCode.GENERIC, `songIndexToRemove ${raw} is not a position in the playlist`);
        return shown[n]!.id;
      });
      await assertTracksExist(call.gql, toAdd);
      if (name !== undefined || comment !== undefined || isPublic !== undefined) {
        const input = {
          ...(name !== undefined ? { name } : {}),
          ...(comment !== undefined ? { description: comment } : {}),
          ...(isPublic !== undefined ? { visibility: isPublic ? 'PUBLIC' : 'PRIVATE' } : {}),
        };
        const d = await call.gql<{ updatePlaylist: { version: number } }>(
          'mutation($id: ID!, $input: UpdatePlaylistInput!, $v: Int) { updatePlaylist(id: $id, input: $input, expectedVersion: $v) { version } }',
          { id, input, v: version },
        );
        version = d.updatePlaylist.version;
      }
      if (toRemove.length > 0)
        version = (await call.gql<{ removePlaylistItems: { version: number } }>(REMOVE, { id, ids: [...new Set(toRemove)], v: version })).removePlaylistItems
          .version;
      if (toAdd.length > 0) await call.gql(ADD, { id, ids: toAdd, v: version });
      return {};
    },
  },
  deletePlaylist: {
    handler: async (call) => {
      await call.gql('mutation($id: ID!) { deletePlaylist(id: $id) }', { id: call.params.required('id') });
      return {};
    },
  },
};
