import { missing, notFound } from '../format/response.js';
import type { EndpointTable } from './endpoint.js';

interface GqlLyrics {
  synced: boolean;
  language: string | null;
  lines: Array<{ startMs: number | null; text: string }>;
}
interface LyricTrack {
  id: string;
  title: string;
  artists: Array<{ name: string }>;
  lyrics: GqlLyrics | null;
}
const FIELDS = 'id title artists { name } lyrics { synced language lines { startMs text } }';

export const lyricsEndpoints: EndpointTable = {
  /** OpenSubsonic `songLyrics`: the track's lyrics (sidecar .lrc, SYLT, USLT/LYRICS) as structured lyrics. */
  getLyricsBySongId: {
    handler: async (call) => {
      const d = await call.gql<{ track: LyricTrack | null }>(`query($id: ID!) { track(id: $id) { ${FIELDS} } }`, { id: call.params.required('id') });
      if (!d.track) throw notFound('Song');
      const { lyrics } = d.track;
      if (!lyrics) return { lyricsList: {} };
      return {
        lyricsList: {
          structuredLyrics: [
            {
              displayArtist: d.track.artists.map((a) => a.name).join(', '),
              displayTitle: d.track.title,
              lang: lyrics.language ?? 'und',
              synced: lyrics.synced,
              line: lyrics.lines.map((l) => ({ start: l.startMs ?? undefined, value: l.text })),
            },
          ],
        },
      };
    },
  },
  /** Classic Subsonic: the plain lyrics of the first song matching the title (and artist, when given). */
  getLyrics: {
    handler: async (call) => {
      const artist = call.params.get('artist')?.trim() ?? '';
      const title = call.params.get('title')?.trim() ?? '';
      if (!title && !artist) throw missing('title');
      const d = await call.gql<{ search: { tracks: LyricTrack[] } }>(`query($q: String!) { search(query: $q, limit: 20) { tracks { ${FIELDS} } } }`, {
        q: `${artist} ${title}`.trim().slice(0, 200),
      });
      const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
      const track = d.search.tracks.find((t) => t.lyrics && (!title || same(t.title, title)) && (!artist || t.artists.some((a) => same(a.name, artist))));
      if (!track?.lyrics) return { lyrics: { ...(artist ? { artist } : {}), ...(title ? { title } : {}), value: '' } };
      return { lyrics: { artist: track.artists.map((a) => a.name).join(', '), title: track.title, value: track.lyrics.lines.map((l) => l.text).join('\n') } };
    },
  },
};
