import type { Catalogue } from './catalogue.js';
import type { Track } from './model.js';
import type { Keyed, SortKey } from './pagination.js';

export type TrackSort = 'TITLE' | 'ARTIST' | 'ALBUM' | 'ADDED_AT' | 'YEAR' | 'DURATION';
export type AlbumSort = 'TITLE' | 'ARTIST' | 'YEAR' | 'ADDED_AT';

export interface TrackFilter {
  artistId?: string | null | undefined;
  albumId?: string | null | undefined;
  genre?: string | null | undefined;
  yearFrom?: number | null | undefined;
  yearTo?: number | null | undefined;
}

// Unknown years sort after every real one.
const NO_YEAR = 9_999;

function byKey(a: Keyed, b: Keyed): number {
  const x = a.key;
  const y = b.key;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return 0;
}

/**
 * Sorted, filtered listings of the catalogue, cached for the catalogue version they were built
 * from (a change makes the next read rebuild them).
 */
export class Listings {
  private readonly cache = new Map<string, { version: number; list: Keyed[] }>();

  constructor(
    private readonly catalogue: Catalogue,
    private readonly maxCached = 32,
  ) {}

  tracks(filter: TrackFilter, sort: TrackSort): Keyed[] {
    const cacheKey = `tracks:${sort}:${JSON.stringify([filter.artistId, filter.albumId, filter.genre, filter.yearFrom, filter.yearTo])}`;
    return this.cached(cacheKey, () => this.selectTracks(filter).map((t) => ({ id: t.id, key: this.trackKey(t, sort) })));
  }

  albums(sort: AlbumSort, artistId?: string): Keyed[] {
    return this.cached(`albums:${sort}:${artistId ?? ''}`, () => {
      const ids = artistId === undefined ? this.catalogue.albums.keys() : this.catalogue.albumIdsOfArtist(artistId);
      return [...ids].map((id) => ({ id, key: this.albumKey(id, sort) }));
    });
  }

  artists(): Keyed[] {
    return this.cached('artists', () => [...this.catalogue.artists.keys()].map((id) => ({ id, key: [this.catalogue.sortKeys.get(id) ?? '', id] })));
  }

  private cached(cacheKey: string, build: () => Keyed[]): Keyed[] {
    const hit = this.cache.get(cacheKey);
    if (hit && hit.version === this.catalogue.version) return hit.list;
    const list = build().sort(byKey);
    this.cache.delete(cacheKey);
    this.cache.set(cacheKey, { version: this.catalogue.version, list });
    if (this.cache.size > this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    return list;
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

  private trackKey(t: Track, sort: TrackSort): SortKey {
    const c = this.catalogue;
    const title = c.sortKeys.get(t.id) ?? '';
    const album = t.albumId ? (c.sortKeys.get(t.albumId) ?? '') : '';
    const position = [t.discNumber ?? 0, t.trackNumber ?? 0, title];
    switch (sort) {
      case 'TITLE':
        return [title, t.id];
      case 'ARTIST':
        return [c.sortKeys.get(t.artistIds[0] ?? '') ?? '', album, ...position, t.id];
      case 'ALBUM':
        return [album, ...position, t.id];
      case 'ADDED_AT':
        return [t.addedAt.getTime(), t.id];
      case 'YEAR':
        return [t.year ?? NO_YEAR, album, ...position, t.id];
      case 'DURATION':
        return [t.duration, t.id];
    }
  }

  private albumKey(id: string, sort: AlbumSort): SortKey {
    const c = this.catalogue;
    const album = c.albums.get(id)!;
    switch (sort) {
      case 'TITLE':
        return [album.sortTitle, id];
      case 'ARTIST':
        return [c.sortKeys.get(album.artistId) ?? '', c.albumSummary(id).year ?? NO_YEAR, album.sortTitle, id];
      case 'YEAR':
        return [c.albumSummary(id).year ?? NO_YEAR, album.sortTitle, id];
      case 'ADDED_AT':
        return [album.addedAt.getTime(), id];
    }
  }
}
