import type { Model } from 'mongoose';
import { upsert } from '@ytm/mongo';
import type { SessionRevocations } from '../domain/ports.js';
import type { RevokedSessionDoc } from './revoked-session.model.js';

export class MongoSessionRevocations implements SessionRevocations {
  constructor(private readonly model: Model<RevokedSessionDoc>) {}

  async add(sessionId: string, until: Date): Promise<void> {
    await upsert(() => this.model.collection.updateOne({ _id: sessionId as never }, { $max: { until } }, { upsert: true }));
  }

  /** A read of exactly `{ _id }` (an index seek on FerretDB too, see @ytm/mongo `findByIds`); the expiry is checked here. */
  async has(sessionId: string, now: Date): Promise<boolean> {
    const doc = await this.model.collection.findOne<RevokedSessionDoc>({ _id: sessionId as never }, { projection: { until: 1 } });
    return doc !== null && doc.until.getTime() > now.getTime();
  }
}
