import { requireViewer } from '@ytm/auth';
import { checkPlaylistId } from '../../domain/playlist.service.js';
import type { ResourceContext } from '../context.js';

export const queryResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: ResourceContext) => ctx.services.accounts.getUser(requireViewer(ctx.viewer).id),
    user: (_: unknown, args: { id: string }, ctx: ResourceContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.user.load(args.id);
    },
    playlist: async (_: unknown, args: { id: string }, ctx: ResourceContext) => {
      const viewer = requireViewer(ctx.viewer);
      checkPlaylistId(args.id);
      return ctx.services.playlists.readable(viewer, await ctx.loaders.playlist.load(args.id));
    },
  },
};
