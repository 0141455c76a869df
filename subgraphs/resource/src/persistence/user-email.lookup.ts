import type { Collection } from 'mongoose';
import { isDuplicateKeyError } from '@ytm/mongo';

/** `user_emails`: `_id` = the normalised email, `userId` = its user. */
interface UserEmailDoc {
  _id: string;
  userId: string;
  at: Date;
}

/**
 * A claim whose user never appeared (the process stopped between claiming and inserting the
 * user) is taken over by a sign-up this long after it was made; younger, it is a sign-up in flight.
 */
export const STALE_CLAIM_MS = 60_000;

/**
 * Users by email as a read by `_id` (the only lookup FerretDB 1.x serves from an index): one
 * document per email, written by an insert into a unique `_id` (atomic everywhere) before the user
 * is inserted. Emails never change (there is no way to change one), so a claim never moves.
 */
export class UserEmailLookup {
  constructor(
    private readonly emails: Collection,
    private readonly users: Collection,
  ) {}

  async userIdOf(email: string): Promise<string | null> {
    const d = await this.emails.findOne<UserEmailDoc>({ _id: email as never }, { projection: { userId: 1 } });
    return d?.userId ?? null;
  }

  /**
   * True when `email` is now claimed for `userId`; false when an existing user has it or a sign-up
   * in flight claimed it first.
   */
  async claim(email: string, userId: string, now: Date): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.emails.insertOne({ _id: email as never, userId, at: now });
        return true;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const held = await this.emails.findOne<UserEmailDoc>({ _id: email as never });
      if (!held) continue; // released meanwhile
      if (await this.users.findOne({ _id: held.userId as never }, { projection: { _id: 1 } })) return false;
      if (now.getTime() - held.at.getTime() < STALE_CLAIM_MS) return false;
      // Abandoned: take it over. Should two sign-ups do so at once and both insert a user, the
      // unique email index of `users` refuses the second, which then repoints the claim (`adoptExisting`).
      await this.emails.deleteOne({ _id: email as never });
    }
    return false;
  }

  /** Gives back a claim made for `userId` (its user could not be inserted). */
  async release(email: string, userId: string): Promise<void> {
    const held = await this.emails.findOne<UserEmailDoc>({ _id: email as never });
    // By `_id` alone (an index seek): a claim is only taken over when stale, never this young one.
    if (held?.userId === userId) await this.emails.deleteOne({ _id: email as never });
  }

  /**
   * The users collection refused a user with this email although the claim was ours: a user with
   * it exists unclaimed (written before this lookup, or by a stale takeover). The claim is pointed
   * at that user. Reads `users` by email (a scan on FerretDB), on this rare path only.
   */
  async adoptExisting(email: string, claimedFor: string): Promise<void> {
    const existing = await this.users.findOne<{ _id: string }>({ email }, { projection: { _id: 1 } });
    await this.release(email, claimedFor);
    if (!existing) return;
    try {
      await this.emails.insertOne({ _id: email as never, userId: existing._id, at: new Date() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
}
