import type { Collection } from 'mongoose';
import { upsert } from '@ytm/mongo';
import type { PlayQueue, PlayQueueRepository } from '../domain/play-queue.js';

/** `play_queues`: one document per user, `_id` = the user's ID (a single-`_id` read or replace). */
interface PlayQueueDoc extends PlayQueue {
  _id: string;
}

export class MongoPlayQueueRepository implements PlayQueueRepository {
  constructor(private readonly collection: Collection) {}

  async find(userId: string): Promise<PlayQueue | null> {
    const doc = await this.collection.findOne<PlayQueueDoc>({ _id: userId as never });
    if (!doc) return null;
    return { trackIds: doc.trackIds, currentIndex: doc.currentIndex, positionMs: doc.positionMs, changedBy: doc.changedBy, changedAt: doc.changedAt };
  }

  async save(userId: string, queue: PlayQueue): Promise<void> {
    await upsert(() => this.collection.replaceOne({ _id: userId as never }, { ...queue }, { upsert: true }));
  }

  async clear(userId: string): Promise<void> {
    await this.collection.deleteOne({ _id: userId as never });
  }
}
