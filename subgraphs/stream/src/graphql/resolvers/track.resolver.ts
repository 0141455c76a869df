import { requireViewer } from '@ytm/auth';
import type { Resolvers } from '../generated/resolvers-types.js';

export const trackResolvers: Resolvers = {
  Track: {
    __resolveReference: (ref) => ({ id: ref.id }),
    playCount: (track, _, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.playCount.load(track.id);
    },
  },
};
