import { requireViewer } from '@ytm/auth';
import type { ResourceContext } from '../context.js';

/** Resource's part of the Track entity: what it knows per user. */
export const trackResolvers = {
  Track: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    liked: async (track: { id: string }, _: unknown, ctx: ResourceContext) => {
      requireViewer(ctx.viewer);
      return (await ctx.loaders.likedAt.load(track.id)) !== null;
    },
    likedAt: (track: { id: string }, _: unknown, ctx: ResourceContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.likedAt.load(track.id);
    },
  },
};
