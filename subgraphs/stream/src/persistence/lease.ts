import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@ytm/mongo';
import type { LeaseDoc } from './play-stats.model.js';

/**
 * A job one replica at a time runs (`leases`, `_id` = job name). Taking it is an insert (the
 * unique `_id` decides between replicas racing for it); an expired lease is deleted by exactly its
 * old holder/until pair before the insert, so a fresh lease is never deleted by a latecomer. Only
 * the holder updates its own lease (FerretDB loses concurrent updates of one document, so two
 * writers must never update it at once), and a renewal that matched no document (taken over
 * meanwhile) is a lost lease.
 */
export class Lease {
  private until = 0;

  constructor(
    private readonly model: Model<LeaseDoc>,
    private readonly job: string,
    readonly holder: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this process holds the lease for at least `marginMs` more (renewing or taking it). */
  async hold(marginMs: number): Promise<boolean> {
    const now = this.now();
    if (this.until - now > marginMs + this.ttlMs / 2) return true;
    const current = await this.model.findOne({ _id: this.job }).lean<LeaseDoc>();
    const until = new Date(now + this.ttlMs);
    if (current?.holder === this.holder) {
      // Renewed only when the lease is still ours at the update: after a stall between the read and
      // the update, another replica may have taken it over (then this one is no longer the holder).
      const renewed = await this.model.updateOne({ _id: this.job, holder: this.holder }, { $set: { until } });
      if (renewed.matchedCount === 1) {
        this.until = until.getTime();
        return true;
      }
      this.until = 0;
      return false;
    }
    this.until = 0;
    if (current && current.until.getTime() > now) return false;
    if (current) await this.model.deleteOne({ _id: this.job, holder: current.holder, until: current.until });
    try {
      await this.model.collection.insertOne({ _id: this.job as never, holder: this.holder, until });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    this.until = until.getTime();
    return true;
  }

  /** Gives the lease up (shutdown), so another replica takes over at once. */
  async release(): Promise<void> {
    if (this.until === 0) return;
    this.until = 0;
    await this.model.deleteOne({ _id: this.job, holder: this.holder });
  }
}
