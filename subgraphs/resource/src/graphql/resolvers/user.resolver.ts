import { requireViewer } from '@ytm/auth';
import { ForbiddenError } from '@ytm/errors';
import { effectivePlan, type User } from '../../domain/user.js';
import type { ResourceContext } from '../context.js';
import { checkFirst, connection, decodeCursor, encodeCursor } from '../pagination.js';

export const userResolvers = {
  User: {
    __resolveReference: (ref: { id: string }, ctx: ResourceContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.user.load(ref.id);
    },
    email: (user: User, _: unknown, ctx: ResourceContext) => {
      if (ctx.selfIds.has(user.id)) return user.email;
      const viewer = requireViewer(ctx.viewer);
      if (viewer.id !== user.id && viewer.role !== 'ADMIN') throw new ForbiddenError('Only the user and administrators may read the email');
      return user.email;
    },
    plan: (user: User) => effectivePlan(user.plan, new Date()),
    apiKeys: (user: User, _: unknown, ctx: ResourceContext) => ctx.services.apiKeys.list(requireViewer(ctx.viewer), user.id),
    playlists: async (user: User, args: { first?: number | null; after?: string | null }, ctx: ResourceContext) => {
      const viewer = requireViewer(ctx.viewer);
      const first = checkFirst(args.first, 25);
      const cursor = decodeCursor(args.after, ['number', 'string']) as [number, string] | undefined;
      const publicOnly = viewer.id !== user.id && viewer.role !== 'ADMIN';
      const page = await ctx.services.playlistStore.listByOwner(user.id, {
        publicOnly,
        first,
        ...(cursor ? { after: { createdAt: new Date(cursor[0]), id: cursor[1] } } : {}),
      });
      const edges = page.playlists.map((p) => ({ cursor: encodeCursor([p.createdAt.getTime(), p.id]), node: p }));
      return connection(edges, page.hasNextPage, page.totalCount);
    },
    likedTracks: async (user: User, args: { first?: number | null; after?: string | null }, ctx: ResourceContext) => {
      const viewer = requireViewer(ctx.viewer);
      const first = checkFirst(args.first, 25);
      const cursor = decodeCursor(args.after, ['number', 'string']) as [number, string] | undefined;
      const page = await ctx.services.likes.likedTracks(viewer, user.id, first, cursor ? { likedAt: new Date(cursor[0]), trackId: cursor[1] } : undefined);
      for (const like of page.likes) ctx.loaders.likedAt.prime(like.trackId, like.likedAt);
      const edges = page.likes.map((l) => ({ cursor: encodeCursor([l.likedAt.getTime(), l.trackId]), node: { __typename: 'Track', id: l.trackId } }));
      return connection(edges, page.hasNextPage, page.totalCount);
    },
  },
};
