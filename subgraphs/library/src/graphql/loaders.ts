import DataLoader from 'dataloader';
import type { LibraryService } from '../domain/library.service.js';
import type { Album, AlbumSummary, Artist, Image, Track } from '../domain/model.js';

export interface ArtistCounts {
  albumCount: number;
  trackCount: number;
  coverArtId: string | null;
}

/** One loader per lookup the schema does; each batches a request's lookups into one call. */
export interface Loaders {
  track: DataLoader<string, Track | null>;
  album: DataLoader<string, Album | null>;
  artist: DataLoader<string, Artist | null>;
  image: DataLoader<string, Image | null>;
  albumSummary: DataLoader<string, AlbumSummary>;
  albumTrackIds: DataLoader<string, string[]>;
  artistCounts: DataLoader<string, ArtistCounts>;
}

/** Fresh per request, so nothing cached outlives the request that read it. */
export function createLoaders(library: LibraryService): Loaders {
  return {
    track: new DataLoader(async (ids) => library.tracksByIds(ids)),
    album: new DataLoader(async (ids) => library.albumsByIds(ids)),
    artist: new DataLoader(async (ids) => library.artistsByIds(ids)),
    image: new DataLoader(async (ids) => library.imagesByIds(ids)),
    albumSummary: new DataLoader(async (ids) => library.albumSummaries(ids)),
    albumTrackIds: new DataLoader(async (ids) => library.albumTrackIds(ids)),
    artistCounts: new DataLoader(async (ids) => library.artistCounts(ids)),
  };
}
