import type { Model } from 'mongoose';
import type { SessionRevocations } from '../domain/ports.js';
import type { RevokedSessionDoc } from './revoked-session.model.js';

export class MongoSessionRevocations implements SessionRevocations {
  constructor(private readonly model: Model<RevokedSessionDoc>) {}

  async add(sessionId: string, until: Date): Promise<void> {
    await this.model.collection.updateOne({ _id: sessionId as never }, { $max: { until } }, { upsert: true });
  }

  async has(sessionId: string, now: Date): Promise<boolean> {
    return (await this.model.countDocuments({ _id: sessionId, until: { $gt: now } }, { limit: 1 })) > 0;
  }
}
