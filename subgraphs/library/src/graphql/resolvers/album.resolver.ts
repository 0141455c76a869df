import { requireViewer } from '@ytm/auth';
import type { Album, AlbumSummary } from '../../domain/model.js';
import { loadExisting, loadPresent } from '../connection.js';
import type { LibraryContext } from '../context.js';
import type { Resolvers } from '../generated/resolvers-types.js';

const summary =
  <K extends keyof AlbumSummary>(field: K) =>
  (a: Album, _: unknown, ctx: LibraryContext) =>
    ctx.views.albumSummary.get(a.id)[field];

export const albumResolvers: Resolvers = {
  Album: {
    __resolveReference: (ref, ctx) => {
      requireViewer(ctx.viewer);
      return ctx.views.album.get(ref.id);
    },
    artist: (a, _, ctx) => loadExisting(ctx.views.artist, a.artistId),
    year: summary('year'),
    genres: summary('genres'),
    compilation: summary('compilation'),
    discCount: summary('discCount'),
    trackCount: summary('trackCount'),
    duration: summary('duration'),
    coverArt: (a, _, ctx) => {
      const { coverArtId } = ctx.views.albumSummary.get(a.id);
      return coverArtId ? ctx.views.image.get(coverArtId) : null;
    },
    tracks: (a, _, ctx) => loadPresent(ctx.views.track, ctx.views.albumTrackIds.get(a.id)),
  },
};
