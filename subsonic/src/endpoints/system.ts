import { ErrorCode, SubsonicError } from '../format/response.js';
import type { EndpointTable } from './endpoint.js';

/** The one music folder: YTM serves one library. */
export const MUSIC_FOLDER = { id: 1, name: 'Music' };

interface ScanStatus {
  state: 'IDLE' | 'RUNNING' | 'FAILED';
  filesParsed: number;
}
const SCAN_FIELDS = 'state filesParsed';
const scanStatus = (s: ScanStatus, trackCount: number) => ({ scanning: s.state === 'RUNNING', count: s.state === 'RUNNING' ? s.filesParsed : trackCount });

export const systemEndpoints: EndpointTable = {
  ping: { handler: async () => ({}) },
  getLicense: { handler: async () => ({ license: { valid: true } }) },
  getOpenSubsonicExtensions: { public: true, handler: async ({ services }) => ({ openSubsonicExtensions: services.extensions }) },
  tokenInfo: {
    handler: async ({ principal }) => {
      if (!principal.apiKeyId) throw new SubsonicError(ErrorCode.INVALID_API_KEY, 'tokenInfo needs an API key (apiKey)');
      return { tokenInfo: { username: principal.email } };
    },
  },
  getMusicFolders: { handler: async () => ({ musicFolders: { musicFolder: [MUSIC_FOLDER] } }) },
  getScanStatus: {
    handler: async ({ gql }) => {
      const d = await gql<{ scanStatus: ScanStatus; libraryStats: { trackCount: number } }>(`{ scanStatus { ${SCAN_FIELDS} } libraryStats { trackCount } }`);
      return { scanStatus: scanStatus(d.scanStatus, d.libraryStats.trackCount) };
    },
  },
  startScan: {
    handler: async ({ gql, principal }) => {
      if (principal.role !== 'ADMIN') throw new SubsonicError(ErrorCode.NOT_AUTHORIZED, 'Only administrators may start a scan');
      const started = await gql<{ startLibraryScan: ScanStatus }>(`mutation { startLibraryScan(full: false) { ${SCAN_FIELDS} } }`);
      const stats = await gql<{ libraryStats: { trackCount: number } }>('{ libraryStats { trackCount } }');
      return { scanStatus: scanStatus(started.startLibraryScan, stats.libraryStats.trackCount) };
    },
  },
  getUser: {
    handler: async ({ params, principal }) => {
      const username = params.required('username');
      if (username.trim().toLowerCase() !== principal.email.toLowerCase()) {
        // YTM looks users up by ID, not email: an ADMIN asking for someone else gets 70.
        if (principal.role !== 'ADMIN') throw new SubsonicError(ErrorCode.NOT_AUTHORIZED, 'You may only read your own user');
        throw new SubsonicError(ErrorCode.NOT_FOUND, 'User not found');
      }
      const admin = principal.role === 'ADMIN';
      return {
        user: {
          username: principal.email,
          email: principal.email,
          scrobblingEnabled: true,
          adminRole: admin,
          settingsRole: false,
          downloadRole: true,
          uploadRole: false,
          playlistRole: true,
          coverArtRole: false,
          commentRole: false,
          podcastRole: false,
          streamRole: true,
          jukeboxRole: false,
          shareRole: false,
          videoConversionRole: false,
          folder: [MUSIC_FOLDER.id],
        },
      };
    },
  },
};
