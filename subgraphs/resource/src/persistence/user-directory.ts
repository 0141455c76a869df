import type { Collection } from 'mongoose';
import { VersionedCache } from './versioned-cache.js';

const KEY = 'users';

/**
 * The admin's list of users in email order, without reading the users collection: every email's
 * claim (`user_emails`, `_id` = email → user id) is held in memory, sorted, and checked per request
 * with one read by `_id` of a version token (`user_directory_versions`) that every sign-up replaces
 * after its user is written (`VersionedCache`); the claims are read again (one read of the small
 * `user_emails` collection) only after a sign-up, or ten minutes. A claim whose user is not there
 * (a sign-up in flight, or one abandoned) is counted but shown by no page.
 */
export class UserDirectory {
  private readonly cache: VersionedCache<Array<[email: string, userId: string]>>;

  constructor(
    private readonly emails: Collection,
    versions: Collection,
  ) {
    this.cache = new VersionedCache(versions, () => this.load(), { maxKeys: 1, maxAgeMs: 600_000 });
  }

  /** Up to `count` claims after `afterEmail`, in email order, and how many there are in all. */
  async after(afterEmail: string | undefined, count: number): Promise<{ entries: Array<[string, string]>; total: number }> {
    const all = await this.cache.get(KEY);
    const start = afterEmail === undefined ? 0 : firstAfter(all, afterEmail);
    return { entries: all.slice(start, start + count), total: all.length };
  }

  /** After a user was written: every replica reads the claims again. */
  changed(): Promise<void> {
    return this.cache.changed(KEY);
  }

  private async load(): Promise<Array<[string, string]>> {
    const docs = await this.emails.find<{ _id: string; userId: string }>({}, { projection: { userId: 1 } }).toArray();
    return docs.map((d): [string, string] => [String(d._id), d.userId]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

/** The index of the first entry whose email sorts after `email` (binary search). */
function firstAfter(sorted: ReadonlyArray<[string, string]>, email: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]![0] <= email) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
