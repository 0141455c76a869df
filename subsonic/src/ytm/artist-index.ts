import { ARTIST_FIELDS } from './documents.js';
import type { Connection, GqlArtist } from './model.js';

type Query = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

const ARTISTS = `query($after: String) { artists(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${ARTIST_FIELDS} } } } }`;

/**
 * Every artist, for getArtists and getIndexes (which list them all at once). The library is the
 * same for every user, so one copy is kept. After `ttlMs` it is still served while a refresh runs
 * in the background (at 100,000 tracks a refresh walks ~20,000 artists, seconds no request should
 * wait for); after a library change (`invalidate`, called on library events) the next request
 * waits for the new list. Concurrent readers share one refresh.
 */
export class ArtistIndex {
  private artists: GqlArtist[] | undefined;
  private loadedAt = 0;
  private loading: Promise<GqlArtist[]> | undefined;
  private generation = 0;
  lastModified = Date.now();

  constructor(private readonly ttlMs = 60_000) {}

  invalidate(): void {
    this.generation += 1;
    this.artists = undefined;
    this.lastModified = Date.now();
  }

  async all(query: Query): Promise<GqlArtist[]> {
    if (this.artists && Date.now() - this.loadedAt < this.ttlMs) return this.artists;
    this.loading ??= this.load(query).finally(() => (this.loading = undefined));
    if (this.artists) {
      // Aged, not changed: the list in hand while the refresh runs (its failure is retried next time).
      this.loading.catch(() => undefined);
      return this.artists;
    }
    return this.loading;
  }

  private async load(query: Query): Promise<GqlArtist[]> {
    const generation = this.generation;
    const out: GqlArtist[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { artists: Connection<GqlArtist> } = await query(ARTISTS, { after });
      for (const e of page.artists.edges) out.push(e.node);
      if (!page.artists.pageInfo.hasNextPage) break;
      after = page.artists.pageInfo.endCursor;
    }
    if (generation === this.generation) {
      this.artists = out;
      this.loadedAt = Date.now();
    }
    return out;
  }
}
