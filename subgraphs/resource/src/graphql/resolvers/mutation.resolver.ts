import { requireViewer } from '@ytm/auth';
import type { Playlist } from '../../domain/playlist.js';
import type { IssuedSession } from '../../domain/session.js';
import type { ResourceContext } from '../context.js';
import type { Resolvers } from '../generated/resolvers-types.js';

/** The caller just proved who they are: let them read their own private fields in the payload. */
async function asSelf(ctx: ResourceContext, session: Promise<IssuedSession>): Promise<IssuedSession> {
  const s = await session;
  ctx.selfIds.add(s.user.id);
  return s;
}

/** A mutation's result is the latest state: later fields of the same request must see it. */
async function fresh(ctx: ResourceContext, changed: Promise<Playlist>): Promise<Playlist> {
  const p = await changed;
  ctx.loaders.playlist.clear(p.id).prime(p.id, p);
  return p;
}

export const mutationResolvers: Resolvers = {
  Mutation: {
    // accounts
    signUp: (_, { input }, ctx) => asSelf(ctx, ctx.services.accounts.signUp(input)),
    signIn: (_, args, ctx) => asSelf(ctx, ctx.services.accounts.signIn(args.email, args.password, ctx.clientAddress)),
    refreshSession: (_, args, ctx) => asSelf(ctx, ctx.services.accounts.refresh(args.refreshToken)),
    signOut: (_, __, ctx) => ctx.services.accounts.signOut(requireViewer(ctx.viewer)),
    changePassword: (_, args, ctx) =>
      ctx.services.accounts.changePassword(requireViewer(ctx.viewer), args.currentPassword, args.newPassword, ctx.clientAddress),
    updateProfile: (_, args, ctx) => ctx.services.accounts.updateProfile(requireViewer(ctx.viewer), args.displayName),
    setUserPlan: (_, args, ctx) => ctx.services.plans.setUserPlan(requireViewer(ctx.viewer), args.userId, args.tier, args.expiresAt ?? null),
    createApiKey: (_, args, ctx) => ctx.services.apiKeys.create(requireViewer(ctx.viewer), args.name),
    revokeApiKey: (_, args, ctx) => ctx.services.apiKeys.revoke(requireViewer(ctx.viewer), args.id),
    // playlists
    createPlaylist: (_, args, ctx) => fresh(ctx, ctx.services.playlists.create(requireViewer(ctx.viewer), args.input)),
    updatePlaylist: (_, args, ctx) => fresh(ctx, ctx.services.playlists.update(requireViewer(ctx.viewer), args.id, args.input, args.expectedVersion)),
    deletePlaylist: async (_, args, ctx) => {
      const done = await ctx.services.playlists.delete(requireViewer(ctx.viewer), args.id);
      ctx.loaders.playlist.clear(args.id).prime(args.id, null);
      return done;
    },
    addTracksToPlaylist: (_, args, ctx) =>
      fresh(ctx, ctx.services.playlists.addTracks(requireViewer(ctx.viewer), args.id, args.trackIds, args.position, args.expectedVersion)),
    removePlaylistItems: (_, args, ctx) =>
      fresh(ctx, ctx.services.playlists.removeItems(requireViewer(ctx.viewer), args.id, args.itemIds, args.expectedVersion)),
    movePlaylistItem: (_, args, ctx) =>
      fresh(ctx, ctx.services.playlists.moveItem(requireViewer(ctx.viewer), args.id, args.itemId, args.toPosition, args.expectedVersion)),
    // likes
    likeTrack: async (_, args, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      const like = await ctx.services.likes.like(viewer, args.trackId);
      // The answer's `liked`/`likedAt` are this like's: nothing to read again.
      ctx.loaders.likedAt.clear(like.trackId).prime(like.trackId, like.likedAt);
      return { id: like.trackId };
    },
    unlikeTrack: (_, args, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      ctx.loaders.likedAt.clear(args.trackId).prime(args.trackId, null);
      return ctx.services.likes.unlike(viewer, args.trackId);
    },
  },
};
