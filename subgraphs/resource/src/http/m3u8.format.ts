import type { Playlist } from '../domain/playlist.js';
import type { TrackSummary } from '../domain/track-catalog.js';

/** One line of text: M3U has no escaping, so line breaks would start a new entry. */
function line(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

/**
 * Extended M3U (UTF-8, hence .m3u8): `#EXTINF:<seconds>,<artists> - <title>` then the file's path
 * relative to the music folder, which a player or another server with the same folder opens
 * (placed beside the folder's root). Only when library did not give a path, the entry URL
 * (`{id}` in `entryUrl` is the track ID). Tracks that left the library become comments, so the
 * positions of the others stay readable.
 */
export function renderM3u8(playlist: Playlist, tracks: ReadonlyMap<string, TrackSummary>, entryUrl: string): string {
  const out = ['#EXTM3U', `#PLAYLIST:${line(playlist.name)}`];
  for (const item of playlist.items) {
    const t = tracks.get(item.trackId);
    if (!t) {
      out.push(`# ${line(item.trackId)}: no longer in the library`);
      continue;
    }
    const artists = t.artistNames.map(line).filter(Boolean).join(', ');
    out.push(`#EXTINF:${Math.max(-1, Math.round(t.durationSeconds))},${artists ? `${artists} - ` : ''}${line(t.title)}`);
    out.push(t.relativePath ? line(t.relativePath) : entryUrl.replaceAll('{id}', encodeURIComponent(item.trackId)));
  }
  return `${out.join('\n')}\n`;
}
