import type { Model } from 'mongoose';
import { findByIds } from '@ytm/mongo';
import type { NewTicket, TicketRepository } from '../domain/ports.js';
import type { Ticket } from '../domain/ticket.js';
import type { TicketQuota } from './ticket-quota.js';
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
  constructor(
    private readonly model: Model<TicketDoc>,
    private readonly quota: TicketQuota,
  ) {}

  /**
   * The ticket takes the day's next quota slot first (refused when the plan's slots are taken),
   * then is stored. A ticket whose insert fails after its slot was taken costs that play: the
   * slots stay contiguous, so the day's count stays a read by `_id`.
   */
  async create(t: NewTicket, dayStart: Date, dailyLimit: number | null): Promise<boolean> {
    if (!(await this.quota.take(t.userId, dayStart, t.id, dailyLimit, t.issuedAt))) return false;
    await this.model.collection.insertOne({ _id: t.id as never, ...withoutId(t), revokedAt: null });
    return true;
  }

  countIssuedOn(userId: string, dayStart: Date): Promise<number> {
    return this.quota.count(userId, dayStart);
  }

  /** A scan of `tickets` on FerretDB (bounded by TICKET_RETENTION_HOURS), once per playback request. */
  async listActive(userId: string, now: Date): Promise<Ticket[]> {
    const docs = await this.model
      .find({ userId, revokedAt: null, expiresAt: { $gt: now } })
      .sort({ issuedAt: -1, _id: -1 })
      .lean<TicketDoc[]>();
    return docs.map(toTicket);
  }

  /**
   * Reads by `_id` only (on FerretDB `{ _id: { $in } }` reads the whole collection): the open ones
   * of the given tickets are marked. Two replicas revoking one ticket at once may both report it,
   * which only stops its stream twice.
   */
  async revoke(ids: string[], now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const open = (await findByIds<Pick<TicketDoc, '_id' | 'revokedAt'>>(this.model.collection, ids, { revokedAt: 1 }))
      .filter((d) => !d.revokedAt)
      .map((d) => d._id);
    await Promise.all(open.map((id) => this.model.collection.updateOne({ _id: id as never }, { $set: { revokedAt: now } })));
    return open;
  }

  /** A scan of `tickets` on FerretDB, on sign-out and plan changes only. */
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

  /** One read by `_id` per ticket (the open streams of this replica). */
  async findRevoked(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const docs = await findByIds<Pick<TicketDoc, '_id' | 'revokedAt'>>(this.model.collection, ids, { revokedAt: 1 });
    return docs.filter((d) => d.revokedAt).map((d) => d._id);
  }
}

function withoutId(t: NewTicket): Omit<NewTicket, 'id'> {
  const { id: _id, ...rest } = t;
  return rest;
}
