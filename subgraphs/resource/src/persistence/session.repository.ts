import type { Model } from 'mongoose';
import type { SessionRepository } from '../domain/ports.js';
import type { Session } from '../domain/session.js';
import type { SessionDoc } from './session.model.js';

function toSession(d: SessionDoc): Session {
  return { id: d._id, userId: d.userId, createdAt: d.createdAt, expiresAt: d.expiresAt, revokedAt: d.revokedAt ?? null };
}

export class MongoSessionRepository implements SessionRepository {
  constructor(private readonly model: Model<SessionDoc>) {}

  async create(input: { id: string; userId: string; refreshHash: string; expiresAt: Date }): Promise<Session> {
    const now = new Date();
    const doc: SessionDoc = { _id: input.id, userId: input.userId, refreshHash: input.refreshHash, spentHashes: [], createdAt: now, lastUsedAt: now, expiresAt: input.expiresAt, revokedAt: null, revokedReason: null };
    await this.model.collection.insertOne(doc as never);
    return toSession(doc);
  }

  async rotate(currentHash: string, nextHash: string, now: Date): Promise<Session | null> {
    // One conditional single-document update: of two concurrent refreshes with the same token, one wins.
    const d = await this.model
      .findOneAndUpdate(
        { refreshHash: currentHash, revokedAt: null, expiresAt: { $gt: now } },
        { $set: { refreshHash: nextHash, lastUsedAt: now }, $push: { spentHashes: currentHash } },
        { new: true },
      )
      .lean<SessionDoc>();
    return d ? toSession(d) : null;
  }

  async findBySpentHash(hash: string): Promise<Session | null> {
    const d = await this.model.findOne({ spentHashes: hash }).lean<SessionDoc>();
    return d ? toSession(d) : null;
  }

  async revoke(id: string, reason: string, now: Date): Promise<void> {
    await this.model.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: now, revokedReason: reason } });
  }

  async revokeAllForUser(userId: string, reason: string, now: Date, exceptSessionId?: string): Promise<string[]> {
    const filter = { userId, revokedAt: null, ...(exceptSessionId ? { _id: { $ne: exceptSessionId } } : {}) };
    const ids = (await this.model.find(filter, { _id: 1 }).lean<Pick<SessionDoc, '_id'>[]>()).map((d) => d._id);
    if (ids.length > 0) await this.model.updateMany({ _id: { $in: ids }, revokedAt: null }, { $set: { revokedAt: now, revokedReason: reason } });
    return ids;
  }

  async findById(id: string): Promise<Session | null> {
    const d = await this.model.findById(id).lean<SessionDoc>();
    return d ? toSession(d) : null;
  }
}
