import type { Model } from 'mongoose';
import { findByIds } from '@ytm/mongo';
import type { NewTicket, TicketRepository } from '../domain/ports.js';
import type { Ticket } from '../domain/ticket.js';
import { openSlotWindowMs, type TicketQuota } from './ticket-quota.js';
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

/**
 * Tickets are read and written by `_id` only (on FerretDB 1.x any other filter reads the whole
 * collection): a user's open tickets are found through the quota slots their tickets took.
 */
export class MongoTicketRepository implements TicketRepository {
  /**
   * `maxLifetimeMs`: the longest a ticket lives (TICKET_MAX_TTL_SECONDS). A ticket issued earlier
   * than that is not looked for; lowering it leaves tickets issued before with a longer lifetime
   * out of `listActive` and `revokeForUser` until they expire.
   */
  constructor(
    private readonly model: Model<TicketDoc>,
    private readonly quota: TicketQuota,
    private readonly maxLifetimeMs: number,
  ) {
    if (!(maxLifetimeMs > 0)) throw new Error('the maximum ticket lifetime must be positive');
  }

  /**
   * The ticket takes the day's next quota slot first (refused when the plan's slots are taken;
   * every plan takes one, an unlimited plan without a limit), then is stored. A ticket whose
   * insert fails after its slot was taken costs that play: the slots stay contiguous, so the
   * day's count stays a read by `_id`, and the open-ticket walk skips the slot (no ticket).
   * `dayStart` is the UTC day of `issuedAt` (PlaybackService passes it so): the walk looks for a
   * slot on the day its ticket was issued.
   */
  async create(t: NewTicket, dayStart: Date, dailyLimit: number | null): Promise<boolean> {
    if (!(await this.quota.take(t.userId, dayStart, t.id, dailyLimit, t.issuedAt, t.expiresAt))) return false;
    await this.model.collection.insertOne({ _id: t.id as never, ...withoutId(t), revokedAt: null });
    return true;
  }

  countIssuedOn(userId: string, dayStart: Date): Promise<number> {
    return this.quota.count(userId, dayStart);
  }

  /** Once per playback request (the concurrent-stream rule): reads by `_id` only, see `open`. */
  async listActive(userId: string, now: Date): Promise<Ticket[]> {
    return (await this.open(userId, now)).map(toTicket);
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
    return this.mark(open, now);
  }

  /** On sign-out and plan changes: the user's open tickets (of the session, when given), by `_id` only (see `open`). */
  async revokeForUser(userId: string, sessionId: string | undefined, now: Date): Promise<string[]> {
    const open = (await this.open(userId, now)).filter((d) => !sessionId || d.sessionId === sessionId).map((d) => d._id);
    return this.mark(open, now);
  }

  /**
   * The user's unrevoked, unexpired tickets, newest first (`issuedAt`, then `_id`, descending):
   * the quota slots taken within the longest ticket lifetime (plus the slots' order slack; of
   * yesterday too when that reaches back across midnight), then those slots' tickets, each by
   * `_id`. A slot whose ticket is known expired is not read further; a slot whose ticket insert
   * failed (or has not happened yet on another replica) names no ticket and is skipped. The reads
   * grow with the tickets the user was issued in that window, never with the collection.
   */
  private async open(userId: string, now: Date): Promise<TicketDoc[]> {
    const issuedAfter = now.getTime() - this.maxLifetimeMs;
    const slots = await this.quota.takenSince(userId, new Date(now.getTime() - openSlotWindowMs(this.maxLifetimeMs)), now);
    const ids = slots.filter((s) => s.at.getTime() > issuedAfter && (!s.expiresAt || s.expiresAt > now)).map((s) => s.ticketId);
    const docs = await findByIds<TicketDoc>(this.model.collection, ids);
    return docs.filter((d) => d.userId === userId && !d.revokedAt && d.expiresAt > now).sort(newestFirst);
  }

  /** Marks the tickets revoked, each by `_id`; returns them. */
  private async mark(ids: string[], now: Date): Promise<string[]> {
    await Promise.all(ids.map((id) => this.model.collection.updateOne({ _id: id as never }, { $set: { revokedAt: now } })));
    return ids;
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

function newestFirst(a: TicketDoc, b: TicketDoc): number {
  return b.issuedAt.getTime() - a.issuedAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0);
}

function withoutId(t: NewTicket): Omit<NewTicket, 'id'> {
  const { id: _id, ...rest } = t;
  return rest;
}
