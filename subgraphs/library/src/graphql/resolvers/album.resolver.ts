import { requireViewer } from '@ytm/auth';
import type { Album, AlbumSummary } from '../../domain/model.js';
import { loadPresent } from '../connection.js';
import type { LibraryContext } from '../context.js';

const summary =
  <K extends keyof AlbumSummary>(field: K) =>
  async (a: Album, _: unknown, ctx: LibraryContext) =>
    (await ctx.loaders.albumSummary.load(a.id))[field];

export const albumResolvers = {
  Album: {
    __resolveReference: (ref: { id: string }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.album.load(ref.id);
    },
    artist: (a: Album, _: unknown, ctx: LibraryContext) => ctx.loaders.artist.load(a.artistId),
    year: summary('year'),
    genres: summary('genres'),
    compilation: summary('compilation'),
    discCount: summary('discCount'),
    trackCount: summary('trackCount'),
    duration: summary('duration'),
    coverArt: async (a: Album, _: unknown, ctx: LibraryContext) => {
      const { coverArtId } = await ctx.loaders.albumSummary.load(a.id);
      return coverArtId ? ctx.loaders.image.load(coverArtId) : null;
    },
    tracks: async (a: Album, _: unknown, ctx: LibraryContext) => loadPresent(ctx.loaders.track, await ctx.loaders.albumTrackIds.load(a.id)),
  },
};
