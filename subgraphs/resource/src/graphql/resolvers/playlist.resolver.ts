import { requireViewer } from '@ytm/auth';
import { isUuid } from '../../domain/ids.js';
import { canRead, type Playlist, type PlaylistItem, type PlaylistSummary, type PlaylistVisibility } from '../../domain/playlist.js';
import { checkPlaylistId, type UpdatePlaylistInput } from '../../domain/playlist.service.js';
import type { ResourceContext } from '../context.js';
import { checkFirst, connection, decodeCursor, encodeCursor } from '../pagination.js';

type PlaylistParent = Playlist | PlaylistSummary;

async function readable(ctx: ResourceContext, id: string): Promise<Playlist | null> {
  const viewer = requireViewer(ctx.viewer);
  const p = await ctx.loaders.playlist.load(id);
  return p && canRead(viewer, p) ? p : null;
}

/** A mutation's result is the latest state: later fields of the same request must see it. */
function fresh(ctx: ResourceContext, p: Playlist): Playlist {
  ctx.loaders.playlist.clear(p.id).prime(p.id, p);
  return p;
}

async function itemsOf(ctx: ResourceContext, p: PlaylistParent): Promise<PlaylistItem[]> {
  if ('items' in p) return p.items;
  return (await ctx.loaders.playlist.load(p.id))?.items ?? [];
}

export interface Mutating {
  id: string;
  expectedVersion?: number | null;
}

export const playlistResolvers = {
  Query: {
    playlist: (_: unknown, args: { id: string }, ctx: ResourceContext) => {
      requireViewer(ctx.viewer);
      checkPlaylistId(args.id);
      return readable(ctx, args.id);
    },
  },
  Mutation: {
    createPlaylist: async (
      _: unknown,
      args: { input: { name: string; description?: string | null; visibility?: PlaylistVisibility | null } },
      ctx: ResourceContext,
    ) => fresh(ctx, await ctx.services.playlists.create(requireViewer(ctx.viewer), args.input)),
    updatePlaylist: async (_: unknown, args: Mutating & { input: UpdatePlaylistInput }, ctx: ResourceContext) =>
      fresh(ctx, await ctx.services.playlists.update(requireViewer(ctx.viewer), args.id, args.input, args.expectedVersion)),
    deletePlaylist: async (_: unknown, args: { id: string }, ctx: ResourceContext) => {
      const done = await ctx.services.playlists.delete(requireViewer(ctx.viewer), args.id);
      ctx.loaders.playlist.clear(args.id).prime(args.id, null);
      return done;
    },
    addTracksToPlaylist: async (_: unknown, args: Mutating & { trackIds: string[]; position?: number | null }, ctx: ResourceContext) =>
      fresh(ctx, await ctx.services.playlists.addTracks(requireViewer(ctx.viewer), args.id, args.trackIds, args.position, args.expectedVersion)),
    removePlaylistItems: async (_: unknown, args: Mutating & { itemIds: string[] }, ctx: ResourceContext) =>
      fresh(ctx, await ctx.services.playlists.removeItems(requireViewer(ctx.viewer), args.id, args.itemIds, args.expectedVersion)),
    movePlaylistItem: async (_: unknown, args: Mutating & { itemId: string; toPosition: number }, ctx: ResourceContext) =>
      fresh(ctx, await ctx.services.playlists.moveItem(requireViewer(ctx.viewer), args.id, args.itemId, args.toPosition, args.expectedVersion)),
  },
  Playlist: {
    __resolveReference: (ref: { id: string }, ctx: ResourceContext) => (isUuid(ref.id) ? readable(ctx, ref.id) : null),
    owner: (p: PlaylistParent, _: unknown, ctx: ResourceContext) => ctx.loaders.user.load(p.ownerId),
    trackCount: (p: PlaylistParent) => ('items' in p ? p.items.length : p.trackCount),
    items: async (p: PlaylistParent, args: { first?: number | null; after?: string | null }, ctx: ResourceContext) => {
      const first = checkFirst(args.first, 100);
      const items = await itemsOf(ctx, p);
      const cursor = decodeCursor(args.after, ['string', 'number']) as [string, number] | undefined;
      let start = 0;
      if (cursor) {
        const at = items.findIndex((i) => i.id === cursor[0]);
        // The item was removed meanwhile: continue where it was.
        start = at >= 0 ? at + 1 : Math.min(Math.max(0, Math.floor(cursor[1])), items.length);
      }
      const page = items.slice(start, start + first);
      const edges = page.map((item, i) => ({ cursor: encodeCursor([item.id, start + i]), node: { ...item, position: start + i } }));
      return connection(edges, start + page.length < items.length, items.length);
    },
  },
  PlaylistItem: {
    track: async (item: PlaylistItem, _: unknown, ctx: ResourceContext) =>
      (await ctx.loaders.removedTrack.load(item.trackId)) ? null : { __typename: 'Track', id: item.trackId },
  },
};
