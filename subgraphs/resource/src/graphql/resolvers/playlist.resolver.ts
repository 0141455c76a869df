import { requireViewer } from '@ytm/auth';
import { toConnection, type PageArgs } from '@ytm/pagination';
import { isUuid } from '../../domain/ids.js';
import { itemPage, type Playlist, type PlaylistSummary } from '../../domain/playlist.js';
import type { ResourceContext } from '../context.js';

/** A whole playlist (a query or mutation), or a listing's summary without its items. */
type PlaylistParent = Playlist | PlaylistSummary;

export const playlistResolvers = {
  Playlist: {
    __resolveReference: async (ref: { id: string }, ctx: ResourceContext) => {
      const viewer = requireViewer(ctx.viewer);
      return isUuid(ref.id) ? ctx.services.playlists.readable(viewer, await ctx.loaders.playlist.load(ref.id)) : null;
    },
    owner: (p: PlaylistParent, _: unknown, ctx: ResourceContext) => ctx.loaders.user.load(p.ownerId),
    trackCount: (p: PlaylistParent) => ('items' in p ? p.items.length : p.trackCount),
    items: async (p: PlaylistParent, args: PageArgs, ctx: ResourceContext) => {
      const items = 'items' in p ? p.items : ((await ctx.loaders.playlist.load(p.id))?.items ?? []);
      return toConnection(itemPage(p.id, items, args));
    },
  },
};
