import { requireViewer } from '@ytm/auth';
import { loadPresent } from '../connection.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const trackResolvers: Resolvers = {
  Track: {
    __resolveReference: (ref, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.views.track.get(ref.id);
    },
    artists: (t, _, ctx) => loadPresent(ctx.views.artist, t.artistIds),
    album: (t, _, ctx) => (t.albumId ? ctx.views.album.get(t.albumId) : null),
    coverArt: (t, _, ctx) => (t.coverArtId ? ctx.views.image.get(t.coverArtId) : null),
    format: (t) => ({ ...t.format, fileSize: t.size }),
    /** Read from the file (sidecar .lrc, else its tags) when asked. */
    lyrics: (t, _, ctx) => ctx.lyrics.read(t),
  },
};
