import { decodeCursor, encodeCursor, pageSize, type CursorKey, type Page as PageOf, type PageArgs } from '@ytm/pagination';

export type { PageArgs };

/** A page of entity IDs (the resolvers load the nodes). */
export type Page = PageOf<string>;

export type SortKey = CursorKey;

/** IDs in ascending sort order, and the sort key of each (ending with the ID, so the order is total). */
export interface Listing {
  ids: readonly string[];
  keyOf(id: string): SortKey;
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
  for (let i = start; i < Math.min(n, start + size); i++) edges.push(new Edge(ids[descending ? n - 1 - i : i]!, scope, listing));
  return { edges, hasNextPage: start + size < n, totalCount: n };
}

/** An edge whose cursor is made when read: most pages ask for nodes and the end cursor only. */
class Edge {
  constructor(
    readonly node: string,
    private readonly scope: string,
    private readonly listing: Listing,
  ) {}

  get cursor(): string {
    return encodeCursor(this.scope, this.listing.keyOf(this.node));
  }
}
