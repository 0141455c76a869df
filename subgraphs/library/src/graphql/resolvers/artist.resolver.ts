import { requireViewer } from '@ytm/auth';
import type { Artist } from '../../domain/model.js';
import { loadConnection } from '../connection.js';
import type { LibraryContext } from '../context.js';
import type { PageArgs } from '../../domain/pagination.js';

export const artistResolvers = {
  Artist: {
    __resolveReference: (ref: { id: string }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.artist.load(ref.id);
    },
    albumCount: async (a: Artist, _: unknown, ctx: LibraryContext) => (await ctx.loaders.artistCounts.load(a.id)).albumCount,
    trackCount: async (a: Artist, _: unknown, ctx: LibraryContext) => (await ctx.loaders.artistCounts.load(a.id)).trackCount,
    coverArt: async (a: Artist, _: unknown, ctx: LibraryContext) => {
      const { coverArtId } = await ctx.loaders.artistCounts.load(a.id);
      return coverArtId ? ctx.loaders.image.load(coverArtId) : null;
    },
    albums: (a: Artist, args: PageArgs, ctx: LibraryContext) => loadConnection(ctx.library.artistAlbumPage(a.id, args), ctx.loaders.album),
    tracks: (a: Artist, args: PageArgs, ctx: LibraryContext) => loadConnection(ctx.library.artistTrackPage(a.id, args), ctx.loaders.track),
  },
};
