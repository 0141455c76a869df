import { requireViewer } from '@ytm/auth';
import type { StreamContext } from '../context.js';

export const trackResolvers = {
  Track: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    playCount: (track: { id: string }, _: unknown, ctx: StreamContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.playCount.load(track.id);
    },
  },
};
