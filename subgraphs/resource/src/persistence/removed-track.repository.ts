import type { Collection } from 'mongoose';
import { deleteOneById, upsert } from '@ytm/mongo';
import type { RemovedTrackRepository } from '../domain/track-catalog.js';
import { VersionedCache } from './versioned-cache.js';

const KEY = 'removed';

/**
 * `removed_tracks` (`_id` = track ID): tracks that left the library. Playlist items keep pointing at
 * them and show `track: null`; a rescan that brings the same ID back clears the mark.
 *
 * Every mark is held in memory and checked per request with one read by `_id` of a version token
 * (`removed_track_versions`) that each change of the marks replaces after it is written
 * (`VersionedCache`): a playlist of 100 entries costs that one read, not a read per track. The
 * marks are read again (one read of the small `removed_tracks`) only after a change, or a minute.
 */
export class MongoRemovedTrackRepository implements RemovedTrackRepository {
  private readonly cache: VersionedCache<ReadonlySet<string>>;

  constructor(
    private readonly collection: Collection,
    versions: Collection,
  ) {
    this.cache = new VersionedCache(versions, () => this.load(), { maxKeys: 1 });
  }

  async markRemoved(trackId: string, at: Date): Promise<void> {
    await upsert(() => this.collection.updateOne({ _id: trackId as never }, { $set: { removedAt: at } }, { upsert: true }));
    await this.cache.changed(KEY);
  }

  async removedBefore(trackId: string, at: Date): Promise<boolean> {
    const mark = await this.collection.findOne<{ removedAt: Date }>({ _id: trackId as never }, { projection: { removedAt: 1 } });
    return mark !== null && mark.removedAt.getTime() <= at.getTime();
  }

  async markRestored(trackId: string, at: Date): Promise<void> {
    // Only a removal older than the re-add is undone: a redelivered old "added" changes nothing.
    const { deletedCount } = await deleteOneById(this.collection, trackId, { removedAt: { $lte: at } });
    if (deletedCount > 0) await this.cache.changed(KEY);
  }

  /** From the marks held in memory (one read by `_id` of their version token). */
  async removedAmong(trackIds: readonly string[]): Promise<Set<string>> {
    if (trackIds.length === 0) return new Set();
    const removed = await this.cache.get(KEY);
    return new Set(trackIds.filter((id) => removed.has(id)));
  }

  private async load(): Promise<ReadonlySet<string>> {
    const docs = await this.collection.find<{ _id: string }>({}, { projection: { _id: 1 } }).toArray();
    return new Set(docs.map((d) => String(d._id)));
  }
}
