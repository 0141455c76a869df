import { requireViewer } from '@ytm/auth';
import type { Resolvers } from '../generated/resolvers-types.js';

export const mutationResolvers: Resolvers = {
  Mutation: {
    requestPlayback: (_, args, ctx) =>
      ctx.playback.requestPlayback(requireViewer(ctx.viewer), args.trackId, { format: args.format, maxBitrate: args.maxBitrate ?? null }),
  },
};
