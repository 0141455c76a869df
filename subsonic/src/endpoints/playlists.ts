import { coverArtId, toChild } from '../format/entities.js';
import { ErrorCode, missing, notFound, SubsonicError } from '../format/response.js';
import { TRACK_FIELDS } from '../ytm/documents.js';
import type { Connection, GqlTrack } from '../ytm/model.js';
import { assertTracksExist } from '../ytm/tracks.js';
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

const PLAYLIST_FIELDS = 'id name description visibility version trackCount createdAt updatedAt owner { id displayName }';
const ITEMS = `query($id: ID!, $after: String) { playlist(id: $id) { ${PLAYLIST_FIELDS} items(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id track { ${TRACK_FIELDS} } } } } } }`;

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

function toPlaylist(call: Call, p: GqlPlaylist, items: Item[]): Record<string, unknown> {
  const tracks = items.flatMap((i) => (i.track ? [i.track] : []));
  return {
    id: p.id,
    name: p.name,
    comment: p.description ?? undefined,
    owner: p.owner.id === call.principal.userId ? call.principal.email : p.owner.displayName,
    public: p.visibility === 'PUBLIC',
    songCount: tracks.length,
    duration: Math.round(tracks.reduce((s, t) => s + t.duration, 0)),
    created: p.createdAt,
    changed: p.updatedAt,
    coverArt: coverArtId(tracks.find((t) => t.coverArt)?.coverArt),
    readonly: p.owner.id !== call.principal.userId && call.principal.role !== 'ADMIN',
  };
}

async function withSongs(call: Call, id: string) {
  const [{ playlist, items }, notes] = await Promise.all([loadPlaylist(call, id), call.notes()]);
  return { playlist: { ...toPlaylist(call, playlist, items), entry: items.flatMap((i) => (i.track ? [toChild(i.track, notes)] : [])) } };
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
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const d: { me: { playlists: Connection<{ id: string }> } } = await call.gql(
          'query($after: String) { me { playlists(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }',
          { after },
        );
        for (const e of d.me.playlists.edges) ids.push(e.node.id);
        if (!d.me.playlists.pageInfo.hasNextPage) break;
        after = d.me.playlists.pageInfo.endCursor;
      }
      const playlists = await Promise.all(ids.map((id) => loadPlaylist(call, id).then(({ playlist, items }) => toPlaylist(call, playlist, items))));
      return { playlists: { playlist: playlists } };
    },
  },
  getPlaylist: { handler: async (call) => withSongs(call, call.params.required('id')) },
  createPlaylist: {
    handler: async (call) => {
      const songIds = call.params.all('songId').filter(Boolean);
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
      const { playlist, items } = await loadPlaylist(call, id);
      let version = playlist.version;
      const name = call.params.get('name');
      const comment = call.params.get('comment');
      const isPublic = call.params.has('public') ? call.params.bool('public', false) : undefined;
      const toRemove = call.params.all('songIndexToRemove').map((raw) => {
        const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
        if (!(n >= 0 && n < items.length)) throw new SubsonicError(ErrorCode.GENERIC, `songIndexToRemove ${raw} is not a position in the playlist`);
        return items[n]!.id;
      });
      const toAdd = call.params.all('songIdToAdd').filter(Boolean);
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
