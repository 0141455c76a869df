import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { SessionRevocations, UsageRepository } from '../domain/ports.js';
import type { RevokedSessionDoc, UsageDoc } from './usage.model.js';

export class MongoUsageRepository implements UsageRepository {
  constructor(private readonly model: Model<UsageDoc>) {}

  /**
   * One atomic conditional upsert: when the day's count already reached the limit the filter
   * misses, the upsert collides with the existing `_id` and nothing changes, so replicas racing
   * can never issue more than the limit.
   */
  async consume(userId: string, day: string, limit: number | null): Promise<boolean> {
    const _id = `${userId}:${day}`;
    if (limit !== null && limit <= 0) return false;
    const filter = limit === null ? { _id } : { _id, count: { $lt: limit } };
    try {
      await this.model.collection.findOneAndUpdate(filter as never, { $inc: { count: 1 }, $setOnInsert: { userId, day } }, { upsert: true });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async release(userId: string, day: string): Promise<void> {
    await this.model.collection.updateOne({ _id: `${userId}:${day}` as never, count: { $gt: 0 } }, { $inc: { count: -1 } });
  }

  async count(userId: string, day: string): Promise<number> {
    const doc = await this.model.findById(`${userId}:${day}`).lean<UsageDoc>();
    return doc?.count ?? 0;
  }
}

export class MongoSessionRevocations implements SessionRevocations {
  constructor(private readonly model: Model<RevokedSessionDoc>) {}

  async add(sessionId: string, until: Date): Promise<void> {
    await this.model.collection.updateOne({ _id: sessionId as never }, { $max: { until } }, { upsert: true });
  }

  async has(sessionId: string, now: Date): Promise<boolean> {
    return (await this.model.countDocuments({ _id: sessionId, until: { $gt: now } }, { limit: 1 })) > 0;
  }
}
