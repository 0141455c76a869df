import { requireViewer } from '@ytm/auth';
import type { Resolvers } from '../generated/resolvers-types.js';

/** Resource's part of the Track entity: what it knows per user. */
export const trackResolvers: Resolvers = {
  Track: {
    __resolveReference: (ref) => ({ id: ref.id }),
    liked: async (track, _, ctx) => {
      requireViewer(ctx.viewer);
      return (await ctx.loaders.likedAt.load(track.id)) !== null;
    },
    likedAt: (track, _, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.likedAt.load(track.id);
    },
  },
};
