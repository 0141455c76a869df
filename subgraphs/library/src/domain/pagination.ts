import { BadUserInputError } from '@ytm/errors';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

export type SortKey = readonly (string | number)[];

/** IDs in ascending sort order, and the sort key of each (ending with the ID, so the order is total). */
export interface Listing {
  ids: readonly string[];
  keyOf(id: string): SortKey;
}

export interface PageArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
}

export interface Page {
  edges: { cursor: string; id: string }[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

/** `first` within 1..100, never silently clamped. */
export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE): number {
  const n = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadUserInputError(`first must be between 1 and ${max}`, 'first');
  return n;
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
}

/**
 * Cursors are opaque: base64url of the listing scope and the sort key of the last item seen.
 * Keyset rather than offset, so a page boundary stays put while the library changes.
 */
export function encodeCursor(scope: string, key: SortKey): string {
  return Buffer.from(JSON.stringify([scope, ...key])).toString('base64url');
}

export function decodeCursor(scope: string, cursor: string): SortKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed[0] !== scope || parsed.slice(1).some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    throw new BadUserInputError('after is not a cursor of this list', 'after');
  }
  return parsed.slice(1) as (string | number)[];
}

/** A page of an ascending-sorted listing; `descending` walks it from the end. */
export function paginate(listing: Listing, scope: string, args: PageArgs, descending = false): Page {
  const size = pageSize(args.first);
  const { ids } = listing;
  const keyOf = (id: string) => listing.keyOf(id);
  const n = ids.length;
  let start = 0;
  if (args.after) {
    const after = decodeCursor(scope, args.after);
    // Binary search for the first item strictly past the cursor in walking order.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(keyOf(ids[descending ? n - 1 - mid : mid]!), after);
      if (descending ? c >= 0 : c <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const edges: Page['edges'] = [];
  for (let i = start; i < Math.min(n, start + size); i++) {
    const id = ids[descending ? n - 1 - i : i]!;
    edges.push({ id, cursor: encodeCursor(scope, keyOf(id)) });
  }
  return { edges, hasNextPage: start + size < n, endCursor: edges.at(-1)?.cursor ?? null, totalCount: n };
}
