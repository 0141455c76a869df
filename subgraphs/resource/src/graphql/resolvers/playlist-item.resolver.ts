import type { Resolvers } from '../generated/resolvers-types.js';

export const playlistItemResolvers: Resolvers = {
  PlaylistItem: {
    /** Null once the track left the library; the entry stays. */
    track: async (item, _, ctx) => ((await ctx.loaders.removedTrack.load(item.trackId)) ? null : { id: item.trackId }),
  },
};
