import { BadUserInputError } from '@ytm/errors';
import type { Catalogue } from './catalogue.js';
import { Listings, type AlbumFilter, type AlbumSort, type TrackFilter, type TrackSort } from './listings.js';
import type { Album, AlbumSummary, Artist, Image, LibraryStats, Track } from './model.js';
import { paginate, type Page, type PageArgs } from './pagination.js';
import type { ScanControl } from './ports.js';

export type SortDirection = 'ASC' | 'DESC';

export const MAX_SEARCH_LIMIT = 50;
export const MAX_RANDOM_COUNT = 500;

export interface GenreCount {
  name: string;
  trackCount: number;
  albumCount: number;
}
const MAX_QUERY_LENGTH = 200;

export interface SearchIds {
  tracks: string[];
  albums: string[];
  artists: string[];
}

/**
 * Read side of the library: lookups by ID (read once per request through the API's request views), listings with
 * keyset pagination, search and statistics. Everything is answered from the catalogue.
 */
export class LibraryService {
  private readonly listings: Listings;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly scans: Pick<ScanControl, 'lastScanAt'>,
  ) {
    this.listings = new Listings(catalogue);
  }

  /** Sorts the catalogue in every order the library pages walk (at start, before serving). */
  warmListings(): void {
    this.listings.warm();
  }

  tracksByIds(ids: readonly string[]): (Track | null)[] {
    return ids.map((id) => this.catalogue.tracks.get(id) ?? null);
  }
  albumsByIds(ids: readonly string[]): (Album | null)[] {
    return ids.map((id) => this.catalogue.albums.get(id) ?? null);
  }
  artistsByIds(ids: readonly string[]): (Artist | null)[] {
    return ids.map((id) => this.catalogue.artists.get(id) ?? null);
  }
  imagesByIds(ids: readonly string[]): (Image | null)[] {
    return ids.map((id) => this.catalogue.images.get(id) ?? null);
  }
  albumSummaries(ids: readonly string[]): AlbumSummary[] {
    return ids.map((id) => this.catalogue.albumSummary(id));
  }
  albumTrackIds(ids: readonly string[]): string[][] {
    return ids.map((id) => this.catalogue.albumTracks(id).map((t) => t.id));
  }
  artistCounts(ids: readonly string[]): { albumCount: number; trackCount: number; coverArtId: string | null }[] {
    return ids.map((id) => ({
      albumCount: this.catalogue.albumIdsOfArtist(id).size,
      trackCount: this.catalogue.trackIdsOfArtist(id).size,
      coverArtId: this.catalogue.artistCoverArtId(id),
    }));
  }

  trackPage(filter: TrackFilter | null | undefined, sort: TrackSort, direction: SortDirection, args: PageArgs): Page {
    const f = filter ?? {};
    if (f.yearFrom != null && f.yearTo != null && f.yearFrom > f.yearTo) throw new BadUserInputError('yearFrom is after yearTo', 'filter');
    const scope = `t:${sort}:${JSON.stringify([f.artistId, f.albumId, f.genre, f.yearFrom, f.yearTo])}`;
    return paginate(this.listings.tracks(f, sort), scope, args, direction === 'DESC');
  }

  albumPage(sort: AlbumSort, direction: SortDirection, args: PageArgs, filter?: AlbumFilter | null): Page {
    const f = filter ?? {};
    if (f.yearFrom != null && f.yearTo != null && f.yearFrom > f.yearTo) throw new BadUserInputError('yearFrom is after yearTo', 'filter');
    const scope = `al:${sort}:${JSON.stringify([f.genre, f.yearFrom, f.yearTo])}`;
    return paginate(this.listings.albums(sort, undefined, f), scope, args, direction === 'DESC');
  }

  /** Up to `count` distinct tracks matching the filter, in random order. */
  randomTrackIds(filter: TrackFilter | null | undefined, count: number | null | undefined, random: () => number = Math.random): string[] {
    return sample(this.listings.tracks(filter ?? {}, 'TITLE').ids, checkCount(count), random);
  }

  randomAlbumIds(count: number | null | undefined, random: () => number = Math.random): string[] {
    return sample(this.listings.albums('TITLE').ids, checkCount(count), random);
  }

  /** Every genre with how many tracks and albums carry it, by name. */
  genres(): GenreCount[] {
    const out: GenreCount[] = [];
    for (const { name, trackIds } of this.catalogue.genres()) {
      const albums = new Set<string>();
      for (const id of trackIds) {
        const albumId = this.catalogue.tracks.get(id)?.albumId;
        if (albumId) albums.add(albumId);
      }
      out.push({ name, trackCount: trackIds.size, albumCount: albums.size });
    }
    return out.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));
  }

  artistPage(args: PageArgs): Page {
    return paginate(this.listings.artists(), 'ar', args);
  }

  artistAlbumPage(artistId: string, args: PageArgs): Page {
    return paginate(this.listings.albums('YEAR', artistId), `ar-al:${artistId}`, args);
  }

  artistTrackPage(artistId: string, args: PageArgs): Page {
    return paginate(this.listings.tracks({ artistId }, 'ALBUM'), `ar-t:${artistId}`, args);
  }

  search(query: string, limit: number | null | undefined): SearchIds {
    const n = limit ?? 10;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SEARCH_LIMIT) throw new BadUserInputError(`limit must be between 1 and ${MAX_SEARCH_LIMIT}`, 'limit');
    if (query.length > MAX_QUERY_LENGTH) throw new BadUserInputError(`query must be at most ${MAX_QUERY_LENGTH} characters`, 'query');
    const index = this.catalogue.search;
    return { tracks: index.search('track', query, n), albums: index.search('album', query, n), artists: index.search('artist', query, n) };
  }

  stats(): LibraryStats {
    const c = this.catalogue;
    return {
      trackCount: c.tracks.size,
      albumCount: c.albums.size,
      artistCount: c.artists.size,
      totalDuration: c.totalDuration,
      totalBytes: c.totalBytes,
      lastScanAt: this.scans.lastScanAt(),
    };
  }
}

function checkCount(count: number | null | undefined): number {
  const n = count ?? 10;
  if (!Number.isInteger(n) || n < 1 || n > MAX_RANDOM_COUNT) throw new BadUserInputError(`count must be between 1 and ${MAX_RANDOM_COUNT}`, 'count');
  return n;
}

/** `n` distinct items picked uniformly (a partial Fisher–Yates over the picked positions only). */
function sample(ids: readonly string[], n: number, random: () => number): string[] {
  const picked = new Map<number, number>();
  const out: string[] = [];
  const total = ids.length;
  for (let i = 0; i < Math.min(n, total); i++) {
    const j = i + Math.floor(random() * (total - i));
    const atJ = picked.get(j) ?? j;
    picked.set(j, picked.get(i) ?? i);
    out.push(ids[atJ]!);
  }
  return out;
}
