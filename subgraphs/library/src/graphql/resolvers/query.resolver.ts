import { requireViewer } from '@ytm/auth';
import type { AlbumFilter, AlbumSort, TrackFilter, TrackSort } from '../../domain/listings.js';
import type { SortDirection } from '../../domain/library.service.js';
import { loadPresent, loadConnection } from '../connection.js';
import type { LibraryContext } from '../context.js';
import type { PageArgs } from '../../domain/pagination.js';

export const queryResolvers = {
  Query: {
    track: (_: unknown, { id }: { id: string }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.track.load(id);
    },
    tracks: (_: unknown, args: PageArgs & { filter?: TrackFilter | null; sort: TrackSort; direction: SortDirection }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.trackPage(args.filter, args.sort, args.direction, args), ctx.loaders.track);
    },
    album: (_: unknown, { id }: { id: string }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.album.load(id);
    },
    albums: (_: unknown, args: PageArgs & { sort: AlbumSort; direction: SortDirection; filter?: AlbumFilter | null }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.albumPage(args.sort, args.direction, args, args.filter), ctx.loaders.album);
    },
    randomTracks: (_: unknown, args: { filter?: TrackFilter | null; count?: number | null }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return loadPresent(ctx.loaders.track, ctx.library.randomTrackIds(args.filter, args.count));
    },
    randomAlbums: (_: unknown, args: { count?: number | null }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return loadPresent(ctx.loaders.album, ctx.library.randomAlbumIds(args.count));
    },
    genres: (_: unknown, __: unknown, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.library.genres();
    },
    artist: (_: unknown, { id }: { id: string }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.artist.load(id);
    },
    artists: (_: unknown, args: PageArgs, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.artistPage(args), ctx.loaders.artist);
    },
    search: async (_: unknown, { query, limit }: { query: string; limit?: number | null }, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      const ids = ctx.library.search(query, limit);
      const [tracks, albums, artists] = await Promise.all([
        loadPresent(ctx.loaders.track, ids.tracks),
        loadPresent(ctx.loaders.album, ids.albums),
        loadPresent(ctx.loaders.artist, ids.artists),
      ]);
      return { tracks, albums, artists };
    },
    libraryStats: (_: unknown, __: unknown, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.library.stats();
    },
    scanStatus: (_: unknown, __: unknown, ctx: LibraryContext) => {
      requireViewer(ctx.viewer);
      return ctx.scans.status();
    },
  },
};
