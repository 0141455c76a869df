import type { Catalogue } from './catalogue.js';
import type { Track } from './model.js';
import { compareKeys, type Listing, type SortKey } from './pagination.js';
import { foldText, sortKeyOf } from './text-folding.js';

export type TrackSort = 'TITLE' | 'ARTIST' | 'ALBUM' | 'ADDED_AT' | 'YEAR' | 'DURATION';
export type AlbumSort = 'TITLE' | 'ARTIST' | 'YEAR' | 'ADDED_AT';

export interface TrackFilter {
  artistId?: string | null | undefined;
  albumId?: string | null | undefined;
  genre?: string | null | undefined;
  yearFrom?: number | null | undefined;
  yearTo?: number | null | undefined;
}

export interface AlbumFilter {
  genre?: string | null | undefined;
  yearFrom?: number | null | undefined;
  yearTo?: number | null | undefined;
}

// Unknown years sort after every real one.
const NO_YEAR = 9_999;

/**
 * Sorted, filtered listings of the catalogue, kept as bare ID arrays and cached for the
 * catalogue version they were built from (a change makes the next read rebuild them). Sort
 * keys are computed while sorting and again only for the few items a cursor lookup touches.
 */
export class Listings {
  private readonly cache = new Map<string, { version: number; ids: string[] }>();

  constructor(
    private readonly catalogue: Catalogue,
    private readonly maxCached = 16,
  ) {}

  tracks(filter: TrackFilter, sort: TrackSort): Listing {
    const keyOf = (id: string) => this.trackKey(this.catalogue.tracks.get(id), id, sort);
    const cacheKey = `tracks:${sort}:${JSON.stringify([filter.artistId, filter.albumId, filter.genre, filter.yearFrom, filter.yearTo])}`;
    return { ids: this.cached(cacheKey, () => this.selectTracks(filter).map((t) => t.id), keyOf), keyOf };
  }

  albums(sort: AlbumSort, artistId?: string, filter: AlbumFilter = {}): Listing {
    const keyOf = (id: string) => this.albumKey(id, sort);
    const all = () => [...(artistId === undefined ? this.catalogue.albums.keys() : this.catalogue.albumIdsOfArtist(artistId))];
    const ids = () => all().filter((id) => this.albumMatches(id, filter));
    const cacheKey = `albums:${sort}:${artistId ?? ''}:${JSON.stringify([filter.genre, filter.yearFrom, filter.yearTo])}`;
    return { ids: this.cached(cacheKey, ids, keyOf), keyOf };
  }

  private albumMatches(id: string, filter: AlbumFilter): boolean {
    if (filter.genre == null && filter.yearFrom == null && filter.yearTo == null) return true;
    const summary = this.catalogue.albumSummary(id);
    if (filter.genre != null) {
      const wanted = foldText(filter.genre);
      if (!summary.genres.some((g) => foldText(g) === wanted)) return false;
    }
    if (filter.yearFrom != null && (summary.year === null || summary.year < filter.yearFrom)) return false;
    if (filter.yearTo != null && (summary.year === null || summary.year > filter.yearTo)) return false;
    return true;
  }

  artists(): Listing {
    const keyOf = (id: string): SortKey => [this.artistKey(id), id];
    return { ids: this.cached('artists', () => [...this.catalogue.artists.keys()], keyOf), keyOf };
  }

  private cached(cacheKey: string, select: () => string[], keyOf: (id: string) => SortKey): string[] {
    const hit = this.cache.get(cacheKey);
    if (hit && hit.version === this.catalogue.version) return hit.ids;
    const keyed = select().map((id) => ({ id, key: keyOf(id) }));
    keyed.sort((a, b) => compareKeys(a.key, b.key));
    const ids = keyed.map((k) => k.id);
    this.cache.delete(cacheKey);
    this.cache.set(cacheKey, { version: this.catalogue.version, ids });
    if (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    return ids;
  }

  private selectTracks(filter: TrackFilter): Track[] {
    const c = this.catalogue;
    // Start from the narrowest index, then check the remaining conditions.
    const candidates: ReadonlySet<string>[] = [];
    if (filter.albumId) candidates.push(c.trackIdsOfAlbum(filter.albumId));
    if (filter.artistId) candidates.push(c.trackIdsOfArtist(filter.artistId));
    if (filter.genre) candidates.push(c.trackIdsOfGenre(filter.genre));
    candidates.sort((a, b) => a.size - b.size);
    const ids: Iterable<string> = candidates[0] ?? c.tracks.keys();
    const out: Track[] = [];
    for (const id of ids) {
      const t = c.tracks.get(id);
      if (!t) continue;
      if (!candidates.every((set) => set.has(id))) continue;
      if (filter.yearFrom != null && (t.year === null || t.year < filter.yearFrom)) continue;
      if (filter.yearTo != null && (t.year === null || t.year > filter.yearTo)) continue;
      out.push(t);
    }
    return out;
  }

  private artistKey(id: string): string {
    const a = this.catalogue.artists.get(id);
    return a ? foldText(a.sortName) : '';
  }

  private albumTitleKey(id: string | null): string {
    return id ? (this.catalogue.albums.get(id)?.sortTitle ?? '') : '';
  }

  /** A vanished track (listing older than the lookup) keys as its bare ID. */
  private trackKey(t: Track | undefined, id: string, sort: TrackSort): SortKey {
    if (!t) return [id];
    const title = sortKeyOf(t.title);
    const album = this.albumTitleKey(t.albumId);
    const position = [t.discNumber ?? 0, t.trackNumber ?? 0, title];
    switch (sort) {
      case 'TITLE':
        return [title, t.id];
      case 'ARTIST':
        return [this.artistKey(t.artistIds[0] ?? ''), album, ...position, t.id];
      case 'ALBUM':
        return [album, ...position, t.id];
      case 'ADDED_AT':
        return [t.addedAt, t.id];
      case 'YEAR':
        return [t.year ?? NO_YEAR, album, ...position, t.id];
      case 'DURATION':
        return [t.duration, t.id];
    }
  }

  private albumKey(id: string, sort: AlbumSort): SortKey {
    const c = this.catalogue;
    const album = c.albums.get(id);
    if (!album) return [id];
    switch (sort) {
      case 'TITLE':
        return [album.sortTitle, id];
      case 'ARTIST':
        return [this.artistKey(album.artistId), c.albumSummary(id).year ?? NO_YEAR, album.sortTitle, id];
      case 'YEAR':
        return [c.albumSummary(id).year ?? NO_YEAR, album.sortTitle, id];
      case 'ADDED_AT':
        return [album.addedAt.getTime(), id];
    }
  }
}
