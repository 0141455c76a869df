import { requireViewer } from '@ytm/auth';
import { checkPlaylistId } from '../../domain/playlist.service.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const queryResolvers: Resolvers = {
  Query: {
    me: (_, __, ctx) => ctx.services.accounts.getUser(requireViewer(ctx.viewer).id),
    user: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.user.load(args.id);
    },
    playlist: async (_, args, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      checkPlaylistId(args.id);
      return ctx.services.playlists.readable(viewer, await ctx.loaders.playlist.load(args.id));
    },
  },
};
