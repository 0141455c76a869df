import { requireViewer } from '@ytm/auth';
import { toConnection } from '@ytm/pagination';
import { isUuid } from '../../domain/ids.js';
import { itemPage } from '../../domain/playlist.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const playlistResolvers: Resolvers = {
  Playlist: {
    __resolveReference: async (ref, ctx) => {
      const viewer = requireViewer(ctx.viewer);
      return isUuid(ref.id) ? ctx.services.playlists.readable(viewer, await ctx.loaders.playlist.load(ref.id)) : null;
    },
    owner: async (p, _, ctx) => {
      const owner = await ctx.loaders.user.load(p.ownerId);
      // Users are never deleted: a playlist without its owner is a broken invariant, not a client error.
      if (!owner) throw new Error(`playlist ${p.id} has no owner ${p.ownerId}`);
      return owner;
    },
    trackCount: (p) => ('items' in p ? p.items.length : p.trackCount),
    items: async (p, args, ctx) => {
      const items = 'items' in p ? p.items : ((await ctx.loaders.playlist.load(p.id))?.items ?? []);
      return toConnection(itemPage(p.id, items, args));
    },
  },
};
