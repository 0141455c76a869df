import { requireViewer } from '@ytm/auth';
import { ForbiddenError } from '@ytm/errors';
import { effectivePlan, type User } from '../../domain/user.js';
import type { ResourceContext } from '../context.js';

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
  },
};
