import { requireViewer } from '@ytm/auth';
import type { ResourceContext } from '../context.js';

export interface SignUpArgs {
  input: { email: string; password: string; displayName: string };
}

export const mutationResolvers = {
  Mutation: {
    signUp: (_: unknown, { input }: SignUpArgs, ctx: ResourceContext) => ctx.services.accounts.signUp(input),
    signIn: (_: unknown, args: { email: string; password: string }, ctx: ResourceContext) => ctx.services.accounts.signIn(args.email, args.password),
    refreshSession: (_: unknown, args: { refreshToken: string }, ctx: ResourceContext) => ctx.services.accounts.refresh(args.refreshToken),
    signOut: (_: unknown, __: unknown, ctx: ResourceContext) => ctx.services.accounts.signOut(requireViewer(ctx.viewer)),
  },
};
