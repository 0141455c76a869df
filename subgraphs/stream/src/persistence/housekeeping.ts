import type { Model } from 'mongoose';
import type { Logger } from '@ytm/logger';
import type { PlayDoc } from './play.model.js';
import type { RevokedSessionDoc } from './revoked-session.model.js';
import type { TicketDoc } from './ticket.model.js';

export interface Pruned {
  tickets: number;
  revokedSessions: number;
  plays: number;
}

export interface HousekeepingOptions {
  tickets: Model<TicketDoc>;
  revokedSessions: Model<RevokedSessionDoc>;
  plays: Model<PlayDoc>;
  ticketRetentionMs: number;
  /** Play history older than this goes; statistics keep what was folded from it. */
  playRetentionMs: number;
}

/**
 * Deletes what no rule reads any more, so the collections do not grow without end (FerretDB has
 * no TTL indexes): tickets expired more than `ticketRetentionMs` ago, and signed-out sessions
 * whose access tokens have all expired, and play history past its retention (counts and recent
lists were folded from it when it was recorded). Safe on every replica at once.
 *
 * `ticketRetentionMs` must exceed a day: the daily quota counts the tickets issued since 00:00 UTC,
 * and a ticket that expired over a day ago was issued before that.
 */
export class StreamHousekeeping {
  constructor(private readonly o: HousekeepingOptions) {
    if (o.ticketRetentionMs <= 24 * 3_600_000) throw new Error('ticket retention must exceed a day (the daily quota counts today’s tickets)');
    // The history is what tells a late duplicate of a play step from a new one: keep it longer than any ticket lives.
    if (o.playRetentionMs < 8 * 24 * 3_600_000) throw new Error('play history retention must be at least 8 days (longer than any ticket lives)');
  }

  async prune(now = new Date()): Promise<Pruned> {
    const tickets = await this.o.tickets.deleteMany({ expiresAt: { $lt: new Date(now.getTime() - this.o.ticketRetentionMs) } });
    const sessions = await this.o.revokedSessions.deleteMany({ until: { $lt: now } });
    const plays = await this.o.plays.deleteMany({ at: { $lt: new Date(now.getTime() - this.o.playRetentionMs) } });
    return { tickets: tickets.deletedCount, revokedSessions: sessions.deletedCount, plays: plays.deletedCount };
  }

  /** One scheduled pass: what it pruned is logged, a failure is logged and retried at the next pass. */
  async pruneAndLog(logger: Logger): Promise<void> {
    try {
      const pruned = await this.prune();
      if (pruned.tickets + pruned.revokedSessions + pruned.plays > 0) logger.info({ pruned }, 'pruned expired tickets, sessions and old plays');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'pruning failed; will retry');
    }
  }
}
