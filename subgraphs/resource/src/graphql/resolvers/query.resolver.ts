import { requireViewer } from '@ytm/auth';
import { toConnection } from '@ytm/pagination';
import { checkPlaylistId } from '../../domain/playlist.service.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const queryResolvers: Resolvers = {
  Query: {
    me: (_, __, ctx) => ctx.services.accounts.getUser(requireViewer(ctx.viewer).id),
    user: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.user.load(args.id);
    },
    users: async (_, args, ctx) => {
      const page = await ctx.services.directory.list(requireViewer(ctx.viewer), args);
      for (const { node } of page.edges) ctx.loaders.user.prime(node.id, node);
      return toConnection(page);
    },
    playlist: async (_, args, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      checkPlaylistId(args.id);
      return ctx.services.playlists.readable(viewer, await ctx.loaders.playlist.load(args.id));
    },
  },
};
