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

  constructor(private readonly read: (id: string) => T) {}

  get(id: string): T {
    let value = this.seen.get(id);
    if (value === undefined && !this.seen.has(id)) {
      value = this.read(id);
      this.seen.set(id, value);
    }
    return value as T;
  }
}

/** One view per lookup the schema does. */
export interface Loaders {
  track: RequestView<Track | null>;
  album: RequestView<Album | null>;
  artist: RequestView<Artist | null>;
  image: RequestView<Image | null>;
  albumSummary: RequestView<AlbumSummary>;
  albumTrackIds: RequestView<string[]>;
  artistCounts: RequestView<ArtistCounts>;
}

/** Fresh per request, so nothing kept outlives the request that read it. */
export function createLoaders(library: LibraryService): Loaders {
  const one =
    <T>(many: (ids: readonly string[]) => T[]) =>
    (id: string): T =>
      many([id])[0]!;
  return {
    track: new RequestView(one((ids) => library.tracksByIds(ids))),
    album: new RequestView(one((ids) => library.albumsByIds(ids))),
    artist: new RequestView(one((ids) => library.artistsByIds(ids))),
    image: new RequestView(one((ids) => library.imagesByIds(ids))),
    albumSummary: new RequestView(one((ids) => library.albumSummaries(ids))),
    albumTrackIds: new RequestView(one((ids) => library.albumTrackIds(ids))),
    artistCounts: new RequestView(one((ids) => library.artistCounts(ids))),
  };
}
