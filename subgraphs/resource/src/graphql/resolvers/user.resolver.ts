import { requireViewer } from '@ytm/auth';
import { toConnection, type PageArgs } from '@ytm/pagination';
import type { User } from '../../domain/user.js';
import type { ResourceContext } from '../context.js';

export const userResolvers = {
  User: {
    __resolveReference: (ref: { id: string }, ctx: ResourceContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.user.load(ref.id);
    },
    email: (user: User, _: unknown, ctx: ResourceContext) => ctx.services.users.email(ctx.viewer, user, ctx.selfIds.has(user.id)),
    plan: (user: User, _: unknown, ctx: ResourceContext) => ctx.services.users.plan(user),
    apiKeys: (user: User, _: unknown, ctx: ResourceContext) => ctx.services.apiKeys.list(requireViewer(ctx.viewer), user.id),
    playlists: async (user: User, args: PageArgs, ctx: ResourceContext) =>
      toConnection(await ctx.services.playlists.ownedBy(requireViewer(ctx.viewer), user.id, args)),
    likedTracks: async (user: User, args: PageArgs, ctx: ResourceContext) => {
      const page = await ctx.services.likes.likedTracks(requireViewer(ctx.viewer), user.id, args);
      for (const { node } of page.edges) ctx.loaders.likedAt.prime(node.trackId, node.likedAt);
      return toConnection({ ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: { __typename: 'Track', id: e.node.trackId } })) });
    },
  },
};
