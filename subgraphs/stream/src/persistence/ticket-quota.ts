import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError, upsert } from '@ytm/mongo';
import { startOfUtcDay } from '../domain/ticket.js';

/**
 * `ticket_quota`: the tickets a user was issued per UTC day, as numbered slots, and a hint of how
 * many. `_id` `<userId>:<day>:<n>` is the n-th ticket of that day (`ticketId`), claimed by insert
 * (unique `_id`: atomic across replicas, where FerretDB's read-modify-write updates are not);
 * `_id` `<userId>:<day>` holds `n`, the highest slot known taken (it may lag, never lead). Slots
 * are taken in order, so the day's count is the hint plus the slots after it: reads by `_id` only,
 * whatever the number of tickets in the store. Every ticket takes a slot, on every plan (an
 * unlimited plan with no limit), so the newest slots also name the user's open tickets
 * (`takenSince`, which the ticket repository lists them by).
 */
export interface TicketQuotaDoc {
  _id: string;
  /** On a slot: the ticket that took it. */
  ticketId?: string;
  /** On a slot: when its ticket expires (absent on slots written before it was kept). */
  expiresAt?: Date;
  /** On the hint: the highest slot known taken. */
  n?: number;
  /** When written (on a slot: its ticket's `issuedAt`); housekeeping deletes the documents of past days by it. */
  at: Date;
}

const schema = new Schema<TicketQuotaDoc>(
  { _id: { type: String, required: true }, ticketId: { type: String }, expiresAt: { type: Date }, n: { type: Number }, at: { type: Date, required: true } },
  { collection: 'ticket_quota', versionKey: false },
);

export function ticketQuotaModel(conn: Connection): Model<TicketQuotaDoc> {
  return conn.models.TicketQuota ?? conn.model<TicketQuotaDoc>('TicketQuota', schema);
}

const dayOf = (dayStart: Date) => dayStart.toISOString().slice(0, 10);
const DAY_MS = 86_400_000;

/**
 * How much earlier than a newer slot's an older slot's `at` may be: `at` is the issuing request's
 * clock, read before the library lookup and the count that precede the insert of the slot, on a
 * replica whose clock may be slightly off, so two requests racing can take slots in the other
 * order than their `at`. The walk of `takenSince` goes this much further back.
 */
export const SLOT_ORDER_SLACK_MS = 5 * 60_000;

/**
 * How far back the slots naming a ticket that may still be open reach: a ticket lives at most
 * `maxTicketLifetimeMs` after its `issuedAt` (the slot's `at`), and the walk reads
 * `SLOT_ORDER_SLACK_MS` further. Housekeeping keeps quota documents at least this long.
 */
export function openSlotWindowMs(maxTicketLifetimeMs: number): number {
  return maxTicketLifetimeMs + SLOT_ORDER_SLACK_MS;
}

/** A slot as `takenSince` reads it. */
export interface TakenSlot {
  ticketId: string;
  /** Its ticket's `issuedAt`. */
  at: Date;
  /** Its ticket's `expiresAt`; undefined on slots written before it was kept. */
  expiresAt?: Date;
}

/** Slots read at once by the walk: doubled from the first batch up to the last (most users hold few tickets). */
const FIRST_BATCH = 4;
const MAX_BATCH = 32;

export class TicketQuota {
  constructor(private readonly model: Model<TicketQuotaDoc>) {}

  /** Tickets issued to the user on the UTC day starting at `dayStart`. */
  async count(userId: string, dayStart: Date): Promise<number> {
    const key = `${userId}:${dayOf(dayStart)}`;
    const hint = await this.model.collection.findOne({ _id: key as never }, { projection: { n: 1 } });
    let n = typeof hint?.n === 'number' ? hint.n : 0;
    while (await this.model.collection.findOne({ _id: `${key}:${n + 1}` as never }, { projection: { _id: 1 } })) n += 1;
    return n;
  }

  /**
   * Takes the day's next slot for the ticket unless `limit` slots are taken (null: no limit).
   * Two replicas racing for the last slot: one insert wins, the other finds it taken and refuses.
   */
  async take(userId: string, dayStart: Date, ticketId: string, limit: number | null, now: Date, expiresAt?: Date): Promise<boolean> {
    const key = `${userId}:${dayOf(dayStart)}`;
    for (let n = await this.count(userId, dayStart); limit === null || n < limit; n++) {
      try {
        await this.model.collection.insertOne({ _id: `${key}:${n + 1}` as never, ticketId, at: now, ...(expiresAt ? { expiresAt } : {}) });
      } catch (err) {
        if (isDuplicateKeyError(err)) continue;
        throw err;
      }
      await this.raiseHint(key, n + 1, now);
      return true;
    }
    return false;
  }

  /**
   * The user's slots taken at or after `since`, read by `_id` only: from the newest slot of the
   * day `until` falls in backwards (in batches), then the days before while they reach past
   * `since`. A day's walk ends at its first slot or a slot gone (housekeeping deletes the oldest
   * first); the whole walk ends with the batch holding a slot taken before `since` (`since` is
   * to include `SLOT_ORDER_SLACK_MS`). Slots another replica takes meanwhile are seen when their
   * insert came first. Reads grow with the user's slots since `since`, not with the store.
   */
  async takenSince(userId: string, since: Date, until: Date): Promise<TakenSlot[]> {
    const taken: TakenSlot[] = [];
    for (let day = startOfUtcDay(until); day.getTime() + DAY_MS > since.getTime(); day = new Date(day.getTime() - DAY_MS)) {
      const key = `${userId}:${dayOf(day)}`;
      let older = false;
      let gone = false;
      for (let n = await this.count(userId, day), size = FIRST_BATCH; n >= 1 && !older && !gone; n -= size, size = Math.min(size * 2, MAX_BATCH)) {
        const ids = Array.from({ length: Math.min(size, n) }, (_, i) => `${key}:${n - i}`);
        const docs = await Promise.all(
          ids.map((id) => this.model.collection.findOne<TicketQuotaDoc>({ _id: id as never }, { projection: { ticketId: 1, at: 1, expiresAt: 1 } })),
        );
        for (const d of docs) {
          if (!d) {
            gone = true;
            break;
          }
          if (d.at.getTime() < since.getTime()) older = true;
          else if (typeof d.ticketId === 'string') taken.push({ ticketId: d.ticketId, at: d.at, ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}) });
        }
      }
      if (older) break;
    }
    return taken;
  }

  /** The hint only saves reads: a lost or failed update leaves it behind, which `count` makes up for. */
  private async raiseHint(key: string, n: number, now: Date): Promise<void> {
    try {
      await upsert(() => this.model.collection.updateOne({ _id: key as never }, { $max: { n }, $set: { at: now } }, { upsert: true }));
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
}
