import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError, upsert } from '@ytm/mongo';

/**
 * `ticket_quota`: the tickets a user was issued per UTC day, as numbered slots, and a hint of how
 * many. `_id` `<userId>:<day>:<n>` is the n-th ticket of that day (`ticketId`), claimed by insert
 * (unique `_id`: atomic across replicas, where FerretDB's read-modify-write updates are not);
 * `_id` `<userId>:<day>` holds `n`, the highest slot known taken (it may lag, never lead). Slots
 * are taken in order, so the day's count is the hint plus the slots after it: reads by `_id` only,
 * whatever the number of tickets in the store.
 */
export interface TicketQuotaDoc {
  _id: string;
  /** On a slot: the ticket that took it. */
  ticketId?: string;
  /** On the hint: the highest slot known taken. */
  n?: number;
  /** When written: housekeeping deletes the documents of past days by it. */
  at: Date;
}

const schema = new Schema<TicketQuotaDoc>(
  { _id: { type: String, required: true }, ticketId: { type: String }, n: { type: Number }, at: { type: Date, required: true } },
  { collection: 'ticket_quota', versionKey: false },
);

export function ticketQuotaModel(conn: Connection): Model<TicketQuotaDoc> {
  return conn.models.TicketQuota ?? conn.model<TicketQuotaDoc>('TicketQuota', schema);
}

const dayOf = (dayStart: Date) => dayStart.toISOString().slice(0, 10);

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
  async take(userId: string, dayStart: Date, ticketId: string, limit: number | null, now: Date): Promise<boolean> {
    const key = `${userId}:${dayOf(dayStart)}`;
    for (let n = await this.count(userId, dayStart); limit === null || n < limit; n++) {
      try {
        await this.model.collection.insertOne({ _id: `${key}:${n + 1}` as never, ticketId, at: now });
      } catch (err) {
        if (isDuplicateKeyError(err)) continue;
        throw err;
      }
      await this.raiseHint(key, n + 1, now);
      return true;
    }
    return false;
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
