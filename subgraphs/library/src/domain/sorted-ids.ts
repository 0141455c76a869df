import { compareKeys, type SortKey } from './pagination.js';

export interface SortedIdsSource {
  /** Every ID the listing holds (read for a full build only). */
  all(): Iterable<string>;
  /** Whether an ID belongs in the listing now. */
  has(id: string): boolean;
  /** The ID's current sort key, ending with the ID (a total order). */
  keyOf(id: string): SortKey;
}

/**
 * IDs in ascending key order, kept in step with the catalogue by the IDs that changed: a read
 * after `touch`es takes the touched IDs out (one pass), then puts those still present back at
 * their place found by binary search — O(n + m log n) for m changes, against O(n log n) key
 * computations for a rebuild. Keys are not stored (100,000 tracks × several sorts); they are
 * computed for the few items a search touches. That is sound as long as every ID whose key may
 * have changed is touched before the next read (the catalogue reports its dependants).
 * Many changes at once (over `rebuildRatio` of the size) rebuild instead.
 */
export class SortedIds {
  private ids: readonly string[] | undefined;
  private readonly touched = new Set<string>();

  constructor(
    private readonly source: SortedIdsSource,
    private readonly rebuildRatio = 1 / 16,
  ) {}

  /** The ID's key may have changed, or it was added or removed. */
  touch(id: string): void {
    if (this.ids === undefined) return;
    this.touched.add(id);
    if (this.touched.size > Math.max(64, this.ids.length * this.rebuildRatio)) this.invalidate();
  }

  /** Forgets the order: the next read builds it from scratch. */
  invalidate(): void {
    this.ids = undefined;
    this.touched.clear();
  }

  /** The current order; an array that is never changed afterwards (a later read may return a new one). */
  current(): readonly string[] {
    if (this.ids === undefined) this.ids = this.build();
    else if (this.touched.size > 0) this.ids = this.update(this.ids);
    this.touched.clear();
    return this.ids;
  }

  private build(): string[] {
    const keyed: { id: string; key: SortKey }[] = [];
    for (const id of this.source.all()) keyed.push({ id, key: this.source.keyOf(id) });
    keyed.sort((a, b) => compareKeys(a.key, b.key));
    return keyed.map((k) => k.id);
  }

  private update(ids: readonly string[]): string[] {
    const rest = ids.filter((id) => !this.touched.has(id));
    const added: { id: string; key: SortKey; at: number }[] = [];
    for (const id of this.touched) if (this.source.has(id)) added.push({ id, key: this.source.keyOf(id), at: 0 });
    if (added.length === 0) return rest;
    added.sort((a, b) => compareKeys(a.key, b.key));
    // Where each goes among the untouched ones (the first untouched item after it).
    for (const a of added) {
      let lo = 0;
      let hi = rest.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareKeys(this.source.keyOf(rest[mid]!), a.key) < 0) lo = mid + 1;
        else hi = mid;
      }
      a.at = lo;
    }
    const out = new Array<string>(rest.length + added.length);
    let k = 0;
    let j = 0;
    for (let i = 0; i <= rest.length; i++) {
      while (j < added.length && added[j]!.at === i) out[k++] = added[j++]!.id;
      if (i < rest.length) out[k++] = rest[i]!;
    }
    return out;
  }
}
