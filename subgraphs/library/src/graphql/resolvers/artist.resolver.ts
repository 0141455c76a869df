import { requireViewer } from '@ytm/auth';
import { loadConnection } from '../connection.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const artistResolvers: Resolvers = {
  Artist: {
    __resolveReference: (ref, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.artist.load(ref.id);
    },
    albumCount: async (a, _, ctx) => (await ctx.loaders.artistCounts.load(a.id)).albumCount,
    trackCount: async (a, _, ctx) => (await ctx.loaders.artistCounts.load(a.id)).trackCount,
    coverArt: async (a, _, ctx) => {
      const { coverArtId } = await ctx.loaders.artistCounts.load(a.id);
      return coverArtId ? ctx.loaders.image.load(coverArtId) : null;
    },
    albums: (a, args, ctx) => loadConnection(ctx.library.artistAlbumPage(a.id, args), ctx.loaders.album),
    tracks: (a, args, ctx) => loadConnection(ctx.library.artistTrackPage(a.id, args), ctx.loaders.track),
  },
};
