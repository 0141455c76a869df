import { requireViewer } from '@ytm/auth';
import type { Playlist, PlaylistVisibility } from '../../domain/playlist.js';
import type { UpdatePlaylistInput } from '../../domain/playlist.service.js';
import type { IssuedSession } from '../../domain/session.js';
import type { PlanTier } from '../../domain/user.js';
import type { ResourceContext } from '../context.js';

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

export interface SignUpArgs {
  input: { email: string; password: string; displayName: string };
}

export interface Mutating {
  id: string;
  expectedVersion?: number | null;
}

export interface CreatePlaylistArgs {
  input: { name: string; description?: string | null; visibility?: PlaylistVisibility | null };
}

export const mutationResolvers = {
  Mutation: {
    // accounts
    signUp: (_: unknown, { input }: SignUpArgs, ctx: ResourceContext) => asSelf(ctx, ctx.services.accounts.signUp(input)),
    signIn: (_: unknown, args: { email: string; password: string }, ctx: ResourceContext) =>
      asSelf(ctx, ctx.services.accounts.signIn(args.email, args.password, ctx.clientAddress)),
    refreshSession: (_: unknown, args: { refreshToken: string }, ctx: ResourceContext) => asSelf(ctx, ctx.services.accounts.refresh(args.refreshToken)),
    signOut: (_: unknown, __: unknown, ctx: ResourceContext) => ctx.services.accounts.signOut(requireViewer(ctx.viewer)),
    changePassword: (_: unknown, args: { currentPassword: string; newPassword: string }, ctx: ResourceContext) =>
      ctx.services.accounts.changePassword(requireViewer(ctx.viewer), args.currentPassword, args.newPassword, ctx.clientAddress),
    updateProfile: (_: unknown, args: { displayName: string }, ctx: ResourceContext) =>
      ctx.services.accounts.updateProfile(requireViewer(ctx.viewer), args.displayName),
    setUserPlan: (_: unknown, args: { userId: string; tier: PlanTier; expiresAt?: Date | null }, ctx: ResourceContext) =>
      ctx.services.plans.setUserPlan(requireViewer(ctx.viewer), args.userId, args.tier, args.expiresAt ?? null),
    createApiKey: (_: unknown, args: { name: string }, ctx: ResourceContext) => ctx.services.apiKeys.create(requireViewer(ctx.viewer), args.name),
    revokeApiKey: (_: unknown, args: { id: string }, ctx: ResourceContext) => ctx.services.apiKeys.revoke(requireViewer(ctx.viewer), args.id),
    // playlists
    createPlaylist: (_: unknown, args: CreatePlaylistArgs, ctx: ResourceContext) =>
      fresh(ctx, ctx.services.playlists.create(requireViewer(ctx.viewer), args.input)),
    updatePlaylist: (_: unknown, args: Mutating & { input: UpdatePlaylistInput }, ctx: ResourceContext) =>
      fresh(ctx, ctx.services.playlists.update(requireViewer(ctx.viewer), args.id, args.input, args.expectedVersion)),
    deletePlaylist: async (_: unknown, args: { id: string }, ctx: ResourceContext) => {
      const done = await ctx.services.playlists.delete(requireViewer(ctx.viewer), args.id);
      ctx.loaders.playlist.clear(args.id).prime(args.id, null);
      return done;
    },
    addTracksToPlaylist: (_: unknown, args: Mutating & { trackIds: string[]; position?: number | null }, ctx: ResourceContext) =>
      fresh(ctx, ctx.services.playlists.addTracks(requireViewer(ctx.viewer), args.id, args.trackIds, args.position, args.expectedVersion)),
    removePlaylistItems: (_: unknown, args: Mutating & { itemIds: string[] }, ctx: ResourceContext) =>
      fresh(ctx, ctx.services.playlists.removeItems(requireViewer(ctx.viewer), args.id, args.itemIds, args.expectedVersion)),
    movePlaylistItem: (_: unknown, args: Mutating & { itemId: string; toPosition: number }, ctx: ResourceContext) =>
      fresh(ctx, ctx.services.playlists.moveItem(requireViewer(ctx.viewer), args.id, args.itemId, args.toPosition, args.expectedVersion)),
    // likes
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
};
