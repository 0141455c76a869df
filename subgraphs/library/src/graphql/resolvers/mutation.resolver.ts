import { requireAdmin } from '@ytm/auth';
import type { LibraryContext } from '../context.js';

export const mutationResolvers = {
  Mutation: {
    startLibraryScan: (_: unknown, { full }: { full?: boolean | null }, ctx: LibraryContext) => {
      requireAdmin(ctx.viewer);
      ctx.log.info({ full: full === true, by: ctx.viewer?.id }, 'library scan requested');
      return ctx.scans.start(full === true);
    },
  },
};
