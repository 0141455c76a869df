import type { PlaylistItem } from '../../domain/playlist.js';
import type { ResourceContext } from '../context.js';

export const playlistItemResolvers = {
  PlaylistItem: {
    /** Null once the track left the library; the entry stays. */
    track: async (item: PlaylistItem, _: unknown, ctx: ResourceContext) =>
      (await ctx.loaders.removedTrack.load(item.trackId)) ? null : { __typename: 'Track', id: item.trackId },
  },
};
