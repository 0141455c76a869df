import { toAlbumChild, toAlbumId3, toArtistId3, toChild } from '../format/entities.js';
import { TRACK_FIELDS } from '../ytm/documents.js';
import type { Connection, GqlAlbum, GqlArtist, GqlTrack } from '../ytm/model.js';
import { albumsByIds, artistsByIds } from '../ytm/tracks.js';
import type { Notes } from '../ytm/notes.js';
import type { Call, EndpointTable } from './endpoint.js';

/** Starred songs are the viewer's YTM likes, newest first. */
async function likedTracks(call: Call, max = 10_000): Promise<GqlTrack[]> {
  const out: GqlTrack[] = [];
  let after: string | null = null;
  while (out.length < max) {
    const d: { me: { likedTracks: Connection<GqlTrack> } } = await call.gql(
      `query($after: String) { me { likedTracks(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${TRACK_FIELDS} } } } } }`,
      { after },
    );
    for (const e of d.me.likedTracks.edges) out.push(e.node);
    if (!d.me.likedTracks.pageInfo.hasNextPage) break;
    after = d.me.likedTracks.pageInfo.endCursor;
  }
  return out;
}

/** Songs (likes), and albums and artists starred in resource (newest star first; ones that left the library are left out). */
async function starred(call: Call): Promise<{ notes: Notes; songs: GqlTrack[]; albums: GqlAlbum[]; artists: GqlArtist[] }> {
  const notes = await call.notes();
  const [songs, albums, artists] = await Promise.all([
    likedTracks(call),
    albumsByIds(call.gql, notes.starred('album')),
    artistsByIds(call.gql, notes.starred('artist')),
  ]);
  return { notes, songs, albums, artists };
}

export const starredEndpoints: EndpointTable = {
  getStarred2: {
    handler: async (call) => {
      const { notes, songs, albums, artists } = await starred(call);
      return {
        starred2: {
          artist: artists.map((a) => toArtistId3(a, notes)),
          album: albums.map((a) => toAlbumId3(a, notes)),
          song: songs.map((t) => toChild(t, notes)),
        },
      };
    },
  },
  getStarred: {
    handler: async (call) => {
      const { notes, songs, albums, artists } = await starred(call);
      return {
        starred: {
          artist: artists.map((a) => ({ id: a.id, name: a.name, ...notes.of('artist', a.id) })),
          album: albums.map((a) => toAlbumChild(a, notes)),
          song: songs.map((t) => toChild(t, notes)),
        },
      };
    },
  },
};
