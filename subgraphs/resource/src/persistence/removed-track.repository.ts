import type { Collection } from 'mongoose';
import { findByIds, upsert } from '@ytm/mongo';
import type { RemovedTrackRepository } from '../domain/track-catalog.js';

/**
 * `removed_tracks` (`_id` = track ID): tracks that left the library. Playlist items keep pointing at
 * them and show `track: null`; a rescan that brings the same ID back clears the mark.
 */
export class MongoRemovedTrackRepository implements RemovedTrackRepository {
  constructor(private readonly collection: Collection) {}

  async markRemoved(trackId: string, at: Date): Promise<void> {
    await upsert(() => this.collection.updateOne({ _id: trackId as never }, { $set: { removedAt: at } }, { upsert: true }));
  }

  async markRestored(trackId: string, at: Date): Promise<void> {
    // Only a removal older than the re-add is undone: a redelivered old "added" changes nothing.
    await this.collection.deleteOne({ _id: trackId as never, removedAt: { $lte: at } });
  }

  /** One read by `_id` per distinct track (`$in` reads the whole collection on FerretDB 1.x). */
  async removedAmong(trackIds: readonly string[]): Promise<Set<string>> {
    if (trackIds.length === 0) return new Set();
    const docs = await findByIds<{ _id: string }>(this.collection, trackIds, { _id: 1 });
    return new Set(docs.map((d) => String(d._id)));
  }
}
