import { requireViewer } from '@ytm/auth';
import { loadPresent, loadConnection } from '../connection.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const queryResolvers: Resolvers = {
  Query: {
    track: (_, { id }, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.track.get(id);
    },
    tracks: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.trackPage(args.filter, args.sort, args.direction, args), ctx.loaders.track);
    },
    album: (_, { id }, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.album.get(id);
    },
    albums: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.albumPage(args.sort, args.direction, args, args.filter), ctx.loaders.album);
    },
    randomTracks: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadPresent(ctx.loaders.track, ctx.library.randomTrackIds(args.filter, args.count));
    },
    randomAlbums: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadPresent(ctx.loaders.album, ctx.library.randomAlbumIds(args.count));
    },
    genres: (_, __, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.library.genres();
    },
    artist: (_, { id }, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.loaders.artist.get(id);
    },
    artists: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.artistPage(args), ctx.loaders.artist);
    },
    search: (_, { query, limit }, ctx) => {
      requireViewer(ctx.viewer);
      const ids = ctx.library.search(query, limit);
      return {
        tracks: loadPresent(ctx.loaders.track, ids.tracks),
        albums: loadPresent(ctx.loaders.album, ids.albums),
        artists: loadPresent(ctx.loaders.artist, ids.artists),
      };
    },
    libraryStats: (_, __, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.library.stats();
    },
    scanStatus: (_, __, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.scans.status();
    },
  },
};
