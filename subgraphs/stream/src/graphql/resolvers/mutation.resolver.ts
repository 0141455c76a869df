import { requireViewer } from '@ytm/auth';
import type { StreamFormat } from '../../domain/stream-format.js';
import type { StreamContext } from '../context.js';

export const mutationResolvers = {
  Mutation: {
    requestPlayback: (_: unknown, args: { trackId: string; format?: StreamFormat; maxBitrate?: number | null }, ctx: StreamContext) =>
      ctx.playback.requestPlayback(requireViewer(ctx.viewer), args.trackId, { format: args.format ?? 'ORIGINAL', maxBitrate: args.maxBitrate ?? null }),
  },
};
