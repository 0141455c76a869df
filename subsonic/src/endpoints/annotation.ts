import { ErrorCode, missing, SubsonicError } from '../format/response.js';
import { assertTracksExist } from '../ytm/tracks.js';
import type { Call, EndpointTable } from './endpoint.js';

const LIKE = 'mutation($id: ID!) { likeTrack(trackId: $id) { id } }';
const UNLIKE = 'mutation($id: ID!) { unlikeTrack(trackId: $id) { id } }';

/** `id` may name songs only: albums and artists cannot be starred in YTM yet (error 0, nothing changed). */
function starTargets(call: Call): string[] {
  const ids = call.params.all('id').filter(Boolean);
  const albums = call.params.all('albumId').filter(Boolean);
  const artists = call.params.all('artistId').filter(Boolean);
  if (ids.length + albums.length + artists.length === 0) throw missing('id');
  if (albums.length > 0 || artists.length > 0 || ids.some((id) => /^(al|ar)_/.test(id))) {
    throw new SubsonicError(ErrorCode.GENERIC, 'Starring albums and artists is not implemented; songs can be starred');
  }
  return ids;
}

async function applyAll(call: Call, mutation: string, ids: string[]): Promise<void> {
  // Every ID is checked first, so an unknown one changes nothing.
  await assertTracksExist(call.gql, ids);
  for (const id of ids) await call.gql(mutation, { id });
}

export const annotationEndpoints: EndpointTable = {
  star: {
    handler: async (call) => {
      const ids = starTargets(call);
      if (ids.length > 25) throw new SubsonicError(ErrorCode.GENERIC, 'At most 25 IDs per call');
      await applyAll(call, LIKE, ids);
      return {};
    },
  },
  unstar: {
    handler: async (call) => {
      const ids = starTargets(call);
      if (ids.length > 25) throw new SubsonicError(ErrorCode.GENERIC, 'At most 25 IDs per call');
      await applyAll(call, UNLIKE, ids);
      return {};
    },
  },
  /**
   * `submission=false`: now playing (getNowPlaying). `submission=true`: accepted; YTM counts a play
   * when stream served 30 s or half of the track, so songs played through `stream` are counted there.
   */
  scrobble: {
    handler: async (call) => {
      const ids = call.params.all('id').filter(Boolean);
      if (ids.length === 0) throw missing('id');
      if (ids.length > 25) throw new SubsonicError(ErrorCode.GENERIC, 'At most 25 IDs per call');
      await assertTracksExist(call.gql, ids);
      if (!call.params.bool('submission', true)) {
        call.services.nowPlaying.set(call.principal.userId, {
          trackId: ids[ids.length - 1]!,
          username: call.principal.displayName,
          playerName: call.params.get('c') ?? '',
        });
      }
      return {};
    },
  },
};
