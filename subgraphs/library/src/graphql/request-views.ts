import type { LibraryService } from '../domain/library.service.js';
import type { Album, AlbumSummary, Artist, Image, Track } from '../domain/model.js';

export interface ArtistCounts {
  albumCount: number;
  trackCount: number;
  coverArtId: string | null;
}

/**
 * One kind of value as one request sees it: read from the catalogue (in memory) when first asked
 * and kept for the rest of the request, so a rescan meanwhile never shows one answer two versions
 * of an entity. Synchronous, as the catalogue is: resolvers return values, not promises, and
 * graphql-js completes them without a promise per field.
 */
export class RequestView<T> {
  private readonly seen = new Map<string, T>();

  /** `read`: the catalogue's lookup by IDs (asked for one at a time). */
  constructor(private readonly read: (ids: readonly string[]) => T[]) {}

  get(id: string): T {
    if (this.seen.has(id)) return this.seen.get(id) as T;
    const value = this.read([id])[0] as T;
    this.seen.set(id, value);
    return value;
  }
}

/** One view per lookup the schema does. */
export interface RequestViews {
  track: RequestView<Track | null>;
  album: RequestView<Album | null>;
  artist: RequestView<Artist | null>;
  image: RequestView<Image | null>;
  albumSummary: RequestView<AlbumSummary>;
  albumTrackIds: RequestView<string[]>;
  artistCounts: RequestView<ArtistCounts>;
}

/** Fresh per request, so nothing kept outlives the request that read it. */
export function createRequestViews(library: LibraryService): RequestViews {
  return {
    track: new RequestView((ids) => library.tracksByIds(ids)),
    album: new RequestView((ids) => library.albumsByIds(ids)),
    artist: new RequestView((ids) => library.artistsByIds(ids)),
    image: new RequestView((ids) => library.imagesByIds(ids)),
    albumSummary: new RequestView((ids) => library.albumSummaries(ids)),
    albumTrackIds: new RequestView((ids) => library.albumTrackIds(ids)),
    artistCounts: new RequestView((ids) => library.artistCounts(ids)),
  };
}
