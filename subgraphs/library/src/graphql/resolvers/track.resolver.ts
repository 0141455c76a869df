import { requireViewer } from '@ytm/auth';
import type { Track } from '../../domain/model.js';
import { loadPresent } from '../connection.js';
import type { LibraryContext } from '../context.js';

export const trackResolvers = {
  Track: {
    __resolveReference: (ref: { id: string }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.track.load(ref.id);
    },
    artists: (t: Track, _: unknown, ctx: LibraryContext) => loadPresent(ctx.loaders.artist, t.artistIds),
    album: (t: Track, _: unknown, ctx: LibraryContext) => (t.albumId ? ctx.loaders.album.load(t.albumId) : null),
    coverArt: (t: Track, _: unknown, ctx: LibraryContext) => (t.coverArtId ? ctx.loaders.image.load(t.coverArtId) : null),
    format: (t: Track) => ({ ...t.format, fileSize: t.size }),
    /** Read from the file (sidecar .lrc, else its tags) when asked. */
    lyrics: (t: Track, _: unknown, ctx: LibraryContext) => ctx.lyrics.read(t),
  },
};
