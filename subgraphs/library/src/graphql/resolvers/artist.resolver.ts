import { requireViewer } from '@ytm/auth';
import { loadConnection } from '../connection.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const artistResolvers: Resolvers = {
  Artist: {
    __resolveReference: (ref, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.views.artist.get(ref.id);
    },
    albumCount: (a, _, ctx) => ctx.views.artistCounts.get(a.id).albumCount,
    trackCount: (a, _, ctx) => ctx.views.artistCounts.get(a.id).trackCount,
    coverArt: (a, _, ctx) => {
      const { coverArtId } = ctx.views.artistCounts.get(a.id);
      return coverArtId ? ctx.views.image.get(coverArtId) : null;
    },
    albums: (a, args, ctx) => loadConnection(ctx.library.artistAlbumPage(a.id, args), ctx.views.album),
    tracks: (a, args, ctx) => loadConnection(ctx.library.artistTrackPage(a.id, args), ctx.views.track),
  },
};
