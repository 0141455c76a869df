import type { Collection } from 'mongoose';
import { VersionedCache } from './versioned-cache.js';

const KEY = 'users';

/** A user as the search sees them: email and display name, lower-cased for a case-insensitive match. */
interface Searchable {
  email: string;
  userId: string;
  emailLower: string;
  nameLower: string;
}

export interface UserDirectoryOptions {
  /**
   * How long the names the search matches are held at most: what a change another replica made,
   * and this one did not hear of, can leave unmatched (USER_CACHE_MAX_AGE_MS; 0: read per search).
   */
  namesMaxAgeMs: number;
  /** The longest one read of every user's name may take. */
  readTimeLimitMs: number;
}

/**
 * The admin's list of users in email order, without reading the users collection per request:
 * every email's claim (`user_emails`, `_id` = email → user id) is held in memory, sorted, and
 * checked per request with one read by `_id` of a version token (`user_directory_versions`) that
 * every sign-up replaces after its user is written (`VersionedCache`); the claims are read again
 * (one read of the small `user_emails` collection) only after a sign-up, or ten minutes. A claim
 * whose user is not there (a sign-up in flight, or one abandoned) is counted but shown by no page.
 *
 * A search (a case-insensitive substring of the email or the display name) matches in memory too:
 * every user's email and display name, read in one pass over `users` after a sign-up (the same
 * token), after a change of a user written here or heard of from another replica (`namesChanged`),
 * or after `namesMaxAgeMs`, rather than FerretDB reading the whole collection (twice, with the
 * count) for every search.
 */
export class UserDirectory {
  private readonly cache: VersionedCache<Array<[email: string, userId: string]>>;
  private readonly names: VersionedCache<Searchable[]>;

  constructor(
    private readonly emails: Collection,
    versions: Collection,
    private readonly users: Collection,
    private readonly options: UserDirectoryOptions,
  ) {
    this.cache = new VersionedCache(versions, () => this.load(), { maxKeys: 1, maxAgeMs: 600_000 });
    this.names = new VersionedCache(versions, () => this.loadNames(), { maxKeys: 1, maxAgeMs: options.namesMaxAgeMs });
  }

  /** Up to `count` claims after `afterEmail`, in email order, and how many there are in all. */
  async after(afterEmail: string | undefined, count: number): Promise<{ entries: Array<[string, string]>; total: number }> {
    const all = await this.cache.get(KEY);
    const start = afterEmail === undefined ? 0 : firstAfter(all, afterEmail);
    return { entries: all.slice(start, start + count), total: all.length };
  }

  /** Up to `count` users matching `search` after `afterEmail`, in email order, and how many match in all. */
  async search(search: string, afterEmail: string | undefined, count: number): Promise<{ entries: Array<[string, string]>; total: number }> {
    const needle = search.toLowerCase();
    const matches: Array<[string, string]> = [];
    for (const u of await this.names.get(KEY)) if (u.emailLower.includes(needle) || u.nameLower.includes(needle)) matches.push([u.email, u.userId]);
    const start = afterEmail === undefined ? 0 : firstAfter(matches, afterEmail);
    return { entries: matches.slice(start, start + count), total: matches.length };
  }

  /** After a user was written: every replica reads the claims (and names) again. */
  changed(): Promise<void> {
    return this.cache.changed(KEY);
  }

  /** A user's name (or anything else of it) changed, here or on another replica: names are read again at the next search. */
  namesChanged(): void {
    this.names.forget(KEY);
  }

  private async load(): Promise<Array<[string, string]>> {
    const docs = await this.emails.find<{ _id: string; userId: string }>({}, { projection: { userId: 1 } }).toArray();
    return docs.map((d): [string, string] => [String(d._id), d.userId]).sort((a, b) => compare(a[0], b[0]));
  }

  private async loadNames(): Promise<Searchable[]> {
    const docs = await this.users
      .find<{ _id: string; email: string; displayName: string }>({}, { projection: { email: 1, displayName: 1 } })
      .maxTimeMS(this.options.readTimeLimitMs)
      .toArray();
    return docs
      .map((d) => ({ email: d.email, userId: String(d._id), emailLower: d.email.toLowerCase(), nameLower: String(d.displayName ?? '').toLowerCase() }))
      .sort((a, b) => compare(a.email, b.email));
  }
}

/** Email order (code units, as the page cursors compare). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The index of the first entry whose email sorts after `email` (binary search). */
function firstAfter(sorted: ReadonlyArray<readonly [string, ...unknown[]]>, email: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]![0] <= email) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
