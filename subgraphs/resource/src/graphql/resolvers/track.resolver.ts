import { requireViewer } from '@ytm/auth';
import type { ResourceContext } from '../context.js';

/** Resource's part of the Track entity: what it knows per user. */
export const trackResolvers = {
  Mutation: {
    likeTrack: (_: unknown, args: { trackId: string }, ctx: ResourceContext) => {
      const viewer = requireViewer(ctx.viewer);
      ctx.loaders.likedAt.clear(args.trackId);
      return ctx.services.likes.like(viewer, args.trackId);
    },
    unlikeTrack: (_: unknown, args: { trackId: string }, ctx: ResourceContext) => {
      const viewer = requireViewer(ctx.viewer);
      ctx.loaders.likedAt.clear(args.trackId).prime(args.trackId, null);
      return ctx.services.likes.unlike(viewer, args.trackId);
    },
  },
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
