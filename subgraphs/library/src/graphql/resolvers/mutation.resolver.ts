import { requireAdmin } from '@ytm/auth';
import type { Resolvers } from '../generated/resolvers-types.js';

export const mutationResolvers: Resolvers = {
  Mutation: {
    startLibraryScan: (_, { full }, ctx) => {
      requireAdmin(ctx.viewer);
      ctx.log.info({ full: full === true, by: ctx.viewer?.id }, 'library scan requested');
      return ctx.scans.start(full === true);
    },
  },
};
