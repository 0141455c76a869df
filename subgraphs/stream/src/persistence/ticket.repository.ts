import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { NewTicket, TicketRepository } from '../domain/ports.js';
import type { Ticket } from '../domain/ticket.js';
import type { TicketDoc } from './ticket.model.js';

function toTicket(d: TicketDoc): Ticket {
  return {
    id: d._id,
    userId: d.userId,
    sessionId: d.sessionId,
    trackId: d.trackId,
    issuedAt: d.issuedAt,
    expiresAt: d.expiresAt,
    revokedAt: d.revokedAt ?? null,
  };
}

export class MongoTicketRepository implements TicketRepository {
  constructor(private readonly model: Model<TicketDoc>) {}

  /**
   * Under a daily limit the n-th ticket of the day takes slot n in a unique index. FerretDB has
   * no atomic read-modify-write (a conditional `$inc` can lose races), but a unique index is
   * enforced by the store, so two replicas can never both take the last slot.
   */
  async create(t: NewTicket, dayStart: Date, dailyLimit: number | null): Promise<boolean> {
    const doc = { _id: t.id as never, ...withoutId(t), revokedAt: null };
    if (dailyLimit === null) {
      await this.model.collection.insertOne(doc);
      return true;
    }
    const day = dayStart.toISOString().slice(0, 10);
    for (let n = await this.countIssuedSince(t.userId, dayStart); n < dailyLimit; n++) {
      try {
        await this.model.collection.insertOne({ ...doc, quotaSlot: `${t.userId}:${day}:${n + 1}` });
        return true;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    return false;
  }

  countIssuedSince(userId: string, since: Date): Promise<number> {
    return this.model.countDocuments({ userId, issuedAt: { $gte: since } });
  }

  async listActive(userId: string, now: Date): Promise<Ticket[]> {
    const docs = await this.model
      .find({ userId, revokedAt: null, expiresAt: { $gt: now } })
      .sort({ issuedAt: -1, _id: -1 })
      .lean<TicketDoc[]>();
    return docs.map(toTicket);
  }

  async revoke(ids: string[], now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    // Read-then-write: FerretDB has no way to return the documents an updateMany changed.
    const open = await this.model.find({ _id: { $in: ids }, revokedAt: null }, { _id: 1 }).lean<Pick<TicketDoc, '_id'>[]>();
    if (open.length === 0) return [];
    const openIds = open.map((d) => d._id);
    await this.model.updateMany({ _id: { $in: openIds }, revokedAt: null }, { $set: { revokedAt: now } });
    return openIds;
  }

  async revokeForUser(userId: string, sessionId: string | undefined, now: Date): Promise<string[]> {
    const filter = { userId, revokedAt: null, expiresAt: { $gt: now }, ...(sessionId ? { sessionId } : {}) };
    const open = await this.model.find(filter, { _id: 1 }).lean<Pick<TicketDoc, '_id'>[]>();
    return this.revoke(
      open.map((d) => d._id),
      now,
    );
  }

  async findRevocation(id: string): Promise<{ revokedAt: Date | null } | null> {
    const doc = await this.model.findById(id, { revokedAt: 1 }).lean<Pick<TicketDoc, 'revokedAt'>>();
    return doc ? { revokedAt: doc.revokedAt ?? null } : null;
  }

  async findRevoked(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const docs = await this.model.find({ _id: { $in: ids }, revokedAt: { $ne: null } }, { _id: 1 }).lean<Pick<TicketDoc, '_id'>[]>();
    return docs.map((d) => d._id);
  }
}

function withoutId(t: NewTicket): Omit<NewTicket, 'id'> {
  const { id: _id, ...rest } = t;
  return rest;
}
