import type { Catalogue } from './catalogue.js';
import type { Track } from './model.js';
import { compareKeys, type Listing, type SortKey } from './pagination.js';
import { SortedIds } from './sorted-ids.js';
import { foldText, sortKeyOf } from './text-folding.js';

export const TRACK_SORTS = ['TITLE', 'ARTIST', 'ALBUM', 'ADDED_AT', 'YEAR', 'DURATION'] as const;
export const ALBUM_SORTS = ['TITLE', 'ARTIST', 'YEAR', 'ADDED_AT'] as const;
export type TrackSort = (typeof TRACK_SORTS)[number];
export type AlbumSort = (typeof ALBUM_SORTS)[number];

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
 * Sorted listings of the catalogue as bare ID arrays. The whole catalogue in each sort (what the
 * library pages walk) is kept in order as it changes (SortedIds, fed by the catalogue's change
 * reports), so a page costs a binary search and the page, whatever the catalogue's size.
 * Filtered listings (an artist's, a genre's, a year range) are sorted when first asked and kept,
 * least recently used first out, for the catalogue version they were built from. Sort keys are
 * computed while sorting and again only for the few items a cursor lookup touches.
 */
export class Listings {
  private readonly cache = new Map<string, { version: number; ids: string[] }>();
  private readonly whole = new Map<string, SortedIds>();

  constructor(
    private readonly catalogue: Catalogue,
    private readonly maxCached = 64,
  ) {
    const c = catalogue;
    const kinds = { track: [] as SortedIds[], album: [] as SortedIds[], artist: [] as SortedIds[] };
    const keep = (kind: keyof typeof kinds, name: string, map: ReadonlyMap<string, unknown>, keyOf: (id: string) => SortKey) => {
      const sorted = new SortedIds({ all: () => map.keys(), has: (id) => map.has(id), keyOf });
      kinds[kind].push(sorted);
      this.whole.set(name, sorted);
    };
    for (const sort of TRACK_SORTS) keep('track', `tracks:${sort}`, c.tracks, (id) => this.trackKey(c.tracks.get(id), id, sort));
    for (const sort of ALBUM_SORTS) keep('album', `albums:${sort}`, c.albums, (id) => this.albumKey(id, sort));
    keep('artist', 'artists', c.artists, (id) => [this.artistKey(id), id]);
    c.onChange((kind, id) => {
      for (const sorted of kinds[kind]) sorted.touch(id);
    });
  }

  /** Sorts the whole catalogue in every order now, so that no page request pays for it. */
  warm(): void {
    for (const sorted of this.whole.values()) sorted.current();
  }

  tracks(filter: TrackFilter, sort: TrackSort): Listing {
    const keyOf = (id: string) => this.trackKey(this.catalogue.tracks.get(id), id, sort);
    if (filter.artistId == null && filter.albumId == null && filter.genre == null && filter.yearFrom == null && filter.yearTo == null) {
      return { ids: this.whole.get(`tracks:${sort}`)!.current(), keyOf };
    }
    const cacheKey = `tracks:${sort}:${JSON.stringify([filter.artistId, filter.albumId, filter.genre, filter.yearFrom, filter.yearTo])}`;
    return { ids: this.cached(cacheKey, () => this.selectTracks(filter).map((t) => t.id), keyOf), keyOf };
  }

  albums(sort: AlbumSort, artistId?: string, filter: AlbumFilter = {}): Listing {
    const keyOf = (id: string) => this.albumKey(id, sort);
    if (artistId === undefined && filter.genre == null && filter.yearFrom == null && filter.yearTo == null) {
      return { ids: this.whole.get(`albums:${sort}`)!.current(), keyOf };
    }
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
    return { ids: this.whole.get('artists')!.current(), keyOf };
  }

  private cached(cacheKey: string, select: () => string[], keyOf: (id: string) => SortKey): string[] {
    const hit = this.cache.get(cacheKey);
    if (hit && hit.version === this.catalogue.version) {
      // Most recently used last: the first entry is the one to drop.
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, hit);
      return hit.ids;
    }
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
