import { requireViewer } from '@ytm/auth';
import { loadPresent, loadConnection } from '../connection.js';
import type { Resolvers } from '../generated/resolvers-types.js';

export const queryResolvers: Resolvers = {
  Query: {
    track: (_, { id }, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.views.track.get(id);
    },
    tracks: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.trackPage(args.filter, args.sort, args.direction, args), ctx.views.track);
    },
    album: (_, { id }, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.views.album.get(id);
    },
    albums: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.albumPage(args.sort, args.direction, args, args.filter), ctx.views.album);
    },
    randomTracks: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadPresent(ctx.views.track, ctx.library.randomTrackIds(args.filter, args.count));
    },
    randomAlbums: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadPresent(ctx.views.album, ctx.library.randomAlbumIds(args.count));
    },
    genres: (_, __, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.library.genres();
    },
    artist: (_, { id }, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.views.artist.get(id);
    },
    artists: (_, args, ctx) => {
      requireViewer(ctx.viewer);
      return loadConnection(ctx.library.artistPage(args), ctx.views.artist);
    },
    search: (_, { query, limit }, ctx) => {
      requireViewer(ctx.viewer);
      const ids = ctx.library.search(query, limit);
      return {
        tracks: loadPresent(ctx.views.track, ids.tracks),
        albums: loadPresent(ctx.views.album, ids.albums),
        artists: loadPresent(ctx.views.artist, ids.artists),
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
