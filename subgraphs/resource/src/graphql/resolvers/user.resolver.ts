import { requireViewer } from '@ytm/auth';
import { toConnection } from '@ytm/pagination';
import type { Resolvers } from '../generated/resolvers-types.js';

export const userResolvers: Resolvers = {
  User: {
    __resolveReference: (ref, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.user.load(ref.id);
    },
    email: (user, _, ctx) => ctx.services.users.email(ctx.viewer, user, ctx.selfIds.has(user.id)),
    plan: (user, _, ctx) => ctx.services.users.plan(user),
    apiKeys: (user, _, ctx) => ctx.services.apiKeys.list(requireViewer(ctx.viewer), user.id),
    playlists: async (user, args, ctx) => toConnection(await ctx.services.playlists.ownedBy(requireViewer(ctx.viewer), user.id, args)),
    likedTracks: async (user, args, ctx) => {
      const page = await ctx.services.likes.likedTracks(requireViewer(ctx.viewer), user.id, args);
      for (const { node } of page.edges) ctx.loaders.likedAt.prime(node.trackId, node.likedAt);
      return toConnection({ ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: { id: e.node.trackId } })) });
    },
  },
};
