import { requireViewer } from '@ytm/auth';
import type { StreamContext } from '../context.js';

export const mutationResolvers = {
  Mutation: {
    requestPlayback: (_: unknown, args: { trackId: string }, ctx: StreamContext) => ctx.playback.requestPlayback(requireViewer(ctx.viewer), args.trackId),
  },
};
