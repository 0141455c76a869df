import { requireViewer } from '@ytm/auth';
import { loadConnection } from '../connection.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const artistResolvers: Resolvers = {
  Artist: {
    __resolveReference: (ref, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.artist.get(ref.id);
    },
    albumCount: (a, _, ctx) => ctx.loaders.artistCounts.get(a.id).albumCount,
    trackCount: (a, _, ctx) => ctx.loaders.artistCounts.get(a.id).trackCount,
    coverArt: (a, _, ctx) => {
      const { coverArtId } = ctx.loaders.artistCounts.get(a.id);
      return coverArtId ? ctx.loaders.image.get(coverArtId) : null;
    },
    albums: (a, args, ctx) => loadConnection(ctx.library.artistAlbumPage(a.id, args), ctx.loaders.album),
    tracks: (a, args, ctx) => loadConnection(ctx.library.artistTrackPage(a.id, args), ctx.loaders.track),
  },
};
