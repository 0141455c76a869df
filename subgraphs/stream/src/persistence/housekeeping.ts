import type { Model } from 'mongoose';
import type { Logger } from '@ytm/logger';
import type { PlayDoc } from './play.model.js';
import type { RevokedSessionDoc } from './revoked-session.model.js';
import { openSlotWindowMs, SLOT_ORDER_SLACK_MS, type TicketQuotaDoc } from './ticket-quota.js';
import type { TicketDoc } from './ticket.model.js';

export interface Pruned {
  tickets: number;
  /** `ticket_quota` documents of past days. */
  quota: number;
  revokedSessions: number;
  plays: number;
}

export interface HousekeepingOptions {
  tickets: Model<TicketDoc>;
  quota: Model<TicketQuotaDoc>;
  revokedSessions: Model<RevokedSessionDoc>;
  plays: Model<PlayDoc>;
  ticketRetentionMs: number;
  /** The longest a ticket lives (TICKET_MAX_TTL_SECONDS): the quota slots naming open tickets are this recent. */
  ticketMaxLifetimeMs: number;
  /** Play history older than this goes; statistics keep what was folded from it. */
  playRetentionMs: number;
}

/**
 * Deletes what no rule reads any more, so the collections do not grow without end (FerretDB has
 * no TTL indexes): tickets expired more than `ticketRetentionMs` ago, the daily quota's documents
 * written as long ago, signed-out sessions whose access tokens have all expired, and play history
 * past its retention (counts and recent lists were folded from it when it was recorded). Safe on
 * every replica at once.
 *
 * `ticketRetentionMs` must exceed a day: the daily quota counts today's slots in `ticket_quota`,
 * and a document written over a day ago belongs to an earlier day. It must also cover the longest
 * ticket lifetime plus the slots' order slack (`openSlotWindowMs`): a user's open tickets are
 * found by walking back their newest slots (`TicketQuota.takenSince`) as far as that window, so
 * a quota document younger than it may still name an open ticket and is never deleted.
 */
export class StreamHousekeeping {
  constructor(private readonly o: HousekeepingOptions) {
    if (o.ticketRetentionMs <= 24 * 3_600_000) throw new Error('ticket retention must exceed a day (the daily quota counts today’s tickets)');
    if (o.ticketRetentionMs < openSlotWindowMs(o.ticketMaxLifetimeMs))
      throw new Error(
        `ticket retention (TICKET_RETENTION_HOURS, ${o.ticketRetentionMs / 3_600_000} h) must cover the longest ticket lifetime (TICKET_MAX_TTL_SECONDS, ${o.ticketMaxLifetimeMs / 1000} s) plus ${SLOT_ORDER_SLACK_MS / 60_000} minutes: the quota slots of open tickets are kept that long`,
      );
    // The history is what tells a late duplicate of a play step from a new one: keep it longer than any ticket lives.
    if (o.playRetentionMs < 8 * 24 * 3_600_000) throw new Error('play history retention must be at least 8 days (longer than any ticket lives)');
  }

  async prune(now = new Date()): Promise<Pruned> {
    const before = new Date(now.getTime() - this.o.ticketRetentionMs);
    const tickets = await this.o.tickets.deleteMany({ expiresAt: { $lt: before } });
    const quota = await this.o.quota.deleteMany({ at: { $lt: before } });
    const sessions = await this.o.revokedSessions.deleteMany({ until: { $lt: now } });
    const plays = await this.o.plays.deleteMany({ at: { $lt: new Date(now.getTime() - this.o.playRetentionMs) } });
    return { tickets: tickets.deletedCount, quota: quota.deletedCount, revokedSessions: sessions.deletedCount, plays: plays.deletedCount };
  }

  /** One scheduled pass: what it pruned is logged, a failure is logged and retried at the next pass. */
  async pruneAndLog(logger: Logger): Promise<void> {
    try {
      const pruned = await this.prune();
      if (pruned.tickets + pruned.quota + pruned.revokedSessions + pruned.plays > 0) logger.info({ pruned }, 'pruned expired tickets, sessions and old plays');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'pruning failed; will retry');
    }
  }
}
