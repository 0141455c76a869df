import { ErrorCode, missing, notFound, SubsonicError } from '../format/response.js';
import { assertExist, assertTracksExist } from '../ytm/tracks.js';
import type { NoteKind } from '../ytm/user-data.grpc-client.js';
import type { Call, EndpointTable } from './endpoint.js';

const LIKE = 'mutation($id: ID!) { likeTrack(trackId: $id) { id } }';
const UNLIKE = 'mutation($id: ID!) { unlikeTrack(trackId: $id) { id } }';
const MAX_IDS = 25;

/** What an ID names, by YTM's prefixes (`tr_`, `al_`, `ar_`); folder-style `id`s may name albums and artists. */
function kindOf(id: string): NoteKind | undefined {
  if (id.startsWith('tr_')) return 'track';
  if (id.startsWith('al_')) return 'album';
  if (id.startsWith('ar_')) return 'artist';
  return undefined;
}

/** `id` (songs, or album/artist folders), `albumId`, `artistId`; every one is checked to exist before anything changes. */
async function starTargets(call: Call): Promise<{ tracks: string[]; albums: string[]; artists: string[] }> {
  const ids = call.params.all('id').filter(Boolean);
  const albums = call.params.all('albumId').filter(Boolean);
  const artists = call.params.all('artistId').filter(Boolean);
  if (ids.length + albums.length + artists.length === 0) throw missing('id');
  if (ids.length + albums.length + artists.length > MAX_IDS) throw new SubsonicError(ErrorCode.GENERIC, `At most ${MAX_IDS} IDs per call`);
  const tracks: string[] = [];
  for (const id of ids) {
    const kind = kindOf(id);
    if (kind === 'album') albums.push(id);
    else if (kind === 'artist') artists.push(id);
    else tracks.push(id);
  }
  await Promise.all([assertTracksExist(call.gql, tracks), assertExist(call.gql, 'album', albums), assertExist(call.gql, 'artist', artists)]);
  return { tracks, albums, artists };
}

/** Songs are starred as YTM likes (the web player shows them); albums and artists in resource. */
async function setStarred(call: Call, on: boolean): Promise<Record<string, never>> {
  const { tracks, albums, artists } = await starTargets(call);
  const { userData } = call.services;
  const userId = call.principal.userId;
  for (const id of tracks) await call.gql(on ? LIKE : UNLIKE, { id });
  if (albums.length > 0) await userData.setStarred(userId, 'album', albums, on);
  if (artists.length > 0) await userData.setStarred(userId, 'artist', artists, on);
  return {};
}

export const annotationEndpoints: EndpointTable = {
  star: { handler: (call) => setStarred(call, true) },
  unstar: { handler: (call) => setStarred(call, false) },
  /** `rating` 1–5 sets the viewer's rating of a song, album or artist; 0 removes it. */
  setRating: {
    handler: async (call) => {
      const id = call.params.required('id');
      const rating = call.params.requiredInt('rating', 0, 5);
      const kind = kindOf(id);
      if (!kind) throw notFound('Item');
      await assertExist(call.gql, kind, [id]);
      await call.services.userData.setRating(call.principal.userId, kind, id, rating);
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
      if (ids.length > MAX_IDS) throw new SubsonicError(ErrorCode.GENERIC, `At most ${MAX_IDS} IDs per call`);
      const playerName = call.params.text('c') ?? '';
      await assertTracksExist(call.gql, ids);
      if (!call.params.bool('submission', true)) {
        call.services.nowPlaying.set(call.principal.userId, { trackId: ids[ids.length - 1]!, username: call.principal.displayName, playerName });
      }
      return {};
    },
  },
};
