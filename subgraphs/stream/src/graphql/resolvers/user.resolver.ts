import { requireViewer } from '@ytm/auth';
import type { StreamContext } from '../context.js';

export const userResolvers = {
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    recentlyPlayed: (user: { id: string }, args: { first?: number | null }, ctx: StreamContext) =>
      ctx.playback.recentlyPlayed(requireViewer(ctx.viewer), user.id, args.first),
    playbackQuota: (user: { id: string }, _: unknown, ctx: StreamContext) => ctx.playback.quota(requireViewer(ctx.viewer), user.id),
  },
};
