import { requireViewer } from '@ytm/auth';
import type { IssuedSession } from '../../domain/session.js';
import type { PlanTier } from '../../domain/user.js';
import type { ResourceContext } from '../context.js';

/** The caller just proved who they are: let them read their own private fields in the payload. */
async function asSelf(ctx: ResourceContext, session: Promise<IssuedSession>): Promise<IssuedSession> {
  const s = await session;
  ctx.selfIds.add(s.user.id);
  return s;
}

export interface SignUpArgs {
  input: { email: string; password: string; displayName: string };
}

export const mutationResolvers = {
  Mutation: {
    signUp: (_: unknown, { input }: SignUpArgs, ctx: ResourceContext) => asSelf(ctx, ctx.services.accounts.signUp(input)),
    signIn: (_: unknown, args: { email: string; password: string }, ctx: ResourceContext) =>
      asSelf(ctx, ctx.services.accounts.signIn(args.email, args.password, ctx.clientAddress)),
    refreshSession: (_: unknown, args: { refreshToken: string }, ctx: ResourceContext) => asSelf(ctx, ctx.services.accounts.refresh(args.refreshToken)),
    signOut: (_: unknown, __: unknown, ctx: ResourceContext) => ctx.services.accounts.signOut(requireViewer(ctx.viewer)),
    changePassword: (_: unknown, args: { currentPassword: string; newPassword: string }, ctx: ResourceContext) =>
      ctx.services.accounts.changePassword(requireViewer(ctx.viewer), args.currentPassword, args.newPassword, ctx.clientAddress),
    setUserPlan: (_: unknown, args: { userId: string; tier: PlanTier; expiresAt?: Date | null }, ctx: ResourceContext) =>
      ctx.services.plans.setUserPlan(requireViewer(ctx.viewer), args.userId, args.tier, args.expiresAt ?? null),
    createApiKey: (_: unknown, args: { name: string }, ctx: ResourceContext) => ctx.services.apiKeys.create(requireViewer(ctx.viewer), args.name),
    revokeApiKey: (_: unknown, args: { id: string }, ctx: ResourceContext) => ctx.services.apiKeys.revoke(requireViewer(ctx.viewer), args.id),
    updateProfile: (_: unknown, args: { displayName: string }, ctx: ResourceContext) =>
      ctx.services.accounts.updateProfile(requireViewer(ctx.viewer), args.displayName),
  },
};
