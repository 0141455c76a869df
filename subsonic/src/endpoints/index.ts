import { notImplemented } from '../format/response.js';
import { annotationEndpoints } from './annotation.js';
import { browsingEndpoints } from './browsing.js';
import type { EndpointTable } from './endpoint.js';
import { listEndpoints } from './lists.js';
import { lyricsEndpoints } from './lyrics.js';
import { mediaEndpoints } from './media.js';
import { playlistEndpoints } from './playlists.js';
import { playQueueEndpoints } from './play-queue.js';
import { searchEndpoints } from './search.js';
import { starredEndpoints } from './starred.js';
import { systemEndpoints } from './system.js';

/**
 * Endpoints of the Subsonic API YTM does not offer, each answering error 0 "not implemented"
 * (README: "OpenSubsonic API", with why).
 */
export const NOT_IMPLEMENTED = [
  // No podcasts, radio, chat, shares, bookmarks, video or jukebox in YTM.
  'getPodcasts',
  'getNewestPodcasts',
  'refreshPodcasts',
  'createPodcastChannel',
  'deletePodcastChannel',
  'deletePodcastEpisode',
  'downloadPodcastEpisode',
  'getPodcastEpisode',
  'getInternetRadioStations',
  'createInternetRadioStation',
  'updateInternetRadioStation',
  'deleteInternetRadioStation',
  'getChatMessages',
  'addChatMessage',
  'getShares',
  'createShare',
  'updateShare',
  'deleteShare',
  'getBookmarks',
  'createBookmark',
  'deleteBookmark',
  'getVideos',
  'getVideoInfo',
  'getCaptions',
  'hls',
  'jukeboxControl',
  // Accounts are managed through YTM itself (GraphQL), not through this API.
  'getUsers',
  'createUser',
  'updateUser',
  'deleteUser',
  'changePassword',
  'getAvatar',
  // Superseded by search2/search3.
  'search',
  // Not built yet.
  'reportPlayback',
  'getTranscodeDecision',
  'getTranscodeStream',
  'getSonicSimilarTracks',
  'findSonicPath',
];

const aliases: EndpointTable = {
  getArtistInfo: { handler: async (call) => ({ artistInfo: ((await listEndpoints.getArtistInfo2!.handler(call)) as { artistInfo2: unknown }).artistInfo2 }) },
  getAlbumInfo: listEndpoints.getAlbumInfo2!,
  getSimilarSongs: {
    handler: async (call) => {
      call.params.required('id');
      return { similarSongs: {} };
    },
  },
};

const implemented: EndpointTable = {
  ...systemEndpoints,
  ...browsingEndpoints,
  ...listEndpoints,
  ...searchEndpoints,
  ...mediaEndpoints,
  ...annotationEndpoints,
  ...starredEndpoints,
  ...playlistEndpoints,
  ...playQueueEndpoints,
  ...lyricsEndpoints,
  ...aliases,
};

export const ENDPOINTS: EndpointTable = {
  ...Object.fromEntries(
    NOT_IMPLEMENTED.map((name) => [
      name,
      {
        handler: () => Promise.reject(notImplemented(name)),
      },
    ]),
  ),
  ...implemented,
};

/** OpenSubsonic extensions this server implements (and only those). */
export const EXTENSIONS = [
  { name: 'apiKeyAuthentication', versions: [1] },
  { name: 'formPost', versions: [1] },
  { name: 'indexBasedQueue', versions: [1] },
  { name: 'songLyrics', versions: [1] },
  { name: 'transcodeOffset', versions: [1] },
];
