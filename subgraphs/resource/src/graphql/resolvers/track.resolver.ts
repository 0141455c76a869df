import { requireViewer } from '@ytm/auth';
import type { ResourceContext } from '../context.js';

/** Resource's part of the Track entity: what it knows per user. */
export const trackResolvers = {
  Mutation: {
    likeTrack: (_: unknown, args: { trackId: string }, ctx: ResourceContext) => {
      const viewer = requireViewer(ctx.viewer);
      ctx.loaders.liked.clear(args.trackId).prime(args.trackId, true);
      return ctx.services.likes.like(viewer, args.trackId);
    },
    unlikeTrack: (_: unknown, args: { trackId: string }, ctx: ResourceContext) => {
      const viewer = requireViewer(ctx.viewer);
      ctx.loaders.liked.clear(args.trackId).prime(args.trackId, false);
      return ctx.services.likes.unlike(viewer, args.trackId);
    },
  },
  Track: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    liked: (track: { id: string }, _: unknown, ctx: ResourceContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.liked.load(track.id);
    },
  },
};
