import { requireViewer } from '@ytm/auth';
import type { Resolvers } from '../generated/resolvers-types.js';

export const userResolvers: Resolvers = {
  User: {
    __resolveReference: (ref) => ({ id: ref.id }),
    recentlyPlayed: (user, args, ctx) => ctx.playback.recentlyPlayed(requireViewer(ctx.viewer), user.id, args.first),
    playbackQuota: (user, _, ctx) => ctx.playback.quota(requireViewer(ctx.viewer), user.id),
  },
};
