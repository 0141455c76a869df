import { createHash } from 'node:crypto';
import type { Connection } from './model.js';

/** One page of a connection: `first` items after `after` (null: from the start). */
export type PageFetcher<T> = (first: number, after: string | null) => Promise<Connection<T>>;

const PAGE = 100;

/**
 * Offset paging (what Subsonic clients send) over cursor connections (what the GraphQL API
 * serves, at most 100 a page). The cursor at every page boundary reached is remembered per
 * listing, so a client paging forward (Symfonium's full sync with songOffset += 500) continues
 * from the last cursor instead of walking from the start; a jump elsewhere walks from the
 * nearest remembered boundary below it. Scopes are kept under a SHA-256 of their name (which may
 * hold client text, such as a genre), so a key is 43 characters whatever the request sent.
 */
export class CursorCache {
  private readonly scopes = new Map<string, { at: number; cursors: Map<number, string> }>();

  constructor(
    private readonly maxScopes = 1_000,
    private readonly maxPerScope = 5_000,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  async range<T>(scope: string, offset: number, count: number, fetch: PageFetcher<T>): Promise<{ items: T[]; totalCount: number }> {
    const cursors = this.cursorsOf(scope);
    let pos = 0;
    let after: string | null = null;
    for (const [o, c] of cursors) {
      if (o <= offset && o > pos) {
        pos = o;
        after = c;
      }
    }
    const items: T[] = [];
    let totalCount = 0;
    while (items.length < count) {
      const skipping = pos < offset;
      const first = skipping ? Math.min(PAGE, offset - pos) : Math.min(PAGE, count - items.length);
      const page = await fetch(first, after);
      totalCount = page.totalCount;
      if (!skipping) for (const e of page.edges) items.push(e.node);
      pos += page.edges.length;
      after = page.pageInfo.endCursor;
      if (after !== null) this.remember(cursors, pos, after);
      if (!page.pageInfo.hasNextPage || page.edges.length === 0) break;
    }
    return { items, totalCount };
  }

  private cursorsOf(name: string): Map<number, string> {
    const scope = createHash('sha256').update(name).digest('base64url');
    const now = Date.now();
    let entry = this.scopes.get(scope);
    if (!entry || now - entry.at > this.ttlMs) {
      entry = { at: now, cursors: new Map() };
      this.scopes.delete(scope);
      this.scopes.set(scope, entry);
      if (this.scopes.size > this.maxScopes) this.scopes.delete(this.scopes.keys().next().value!);
    }
    return entry.cursors;
  }

  private remember(cursors: Map<number, string>, offset: number, cursor: string): void {
    if (cursors.size >= this.maxPerScope) cursors.delete(cursors.keys().next().value!);
    cursors.set(offset, cursor);
  }
}
