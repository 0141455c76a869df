import type { Authenticator } from './auth/authenticator.js';
import type { ArtistIndex } from './ytm/artist-index.js';
import type { CursorCache } from './ytm/cursor-cache.js';
import type { GraphQLClient } from './ytm/graphql-client.js';
import type { NowPlaying } from './ytm/now-playing.js';
import type { UserData } from './ytm/notes.js';
import type { PlaybackTickets } from './ytm/playback-tickets.js';

/** What endpoints share across requests (built once in composition.ts). */
export interface Services {
  serverVersion: string;
  routerUrl: string;
  graphql: GraphQLClient;
  auth: Authenticator;
  cursors: CursorCache;
  artistIndex: ArtistIndex;
  nowPlaying: NowPlaying;
  tickets: PlaybackTickets;
  /** Ratings, album/artist stars and play queues, kept in resource. */
  userData: UserData;
  /** Advertised by getOpenSubsonicExtensions: only what is implemented. */
  extensions: Array<{ name: string; versions: number[] }>;
}
