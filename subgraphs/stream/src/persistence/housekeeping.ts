import type { Model } from 'mongoose';
import type { Logger } from '@ytm/logger';
import type { RevokedSessionDoc } from './revoked-session.model.js';
import type { TicketDoc } from './ticket.model.js';

export interface Pruned {
  tickets: number;
  revokedSessions: number;
}

/**
 * Deletes what no rule reads any more, so the collections do not grow without end (FerretDB has
 * no TTL indexes): tickets expired more than `ticketRetentionMs` ago, and signed-out sessions
 * whose access tokens have all expired. Plays are history and stay. Safe on every replica at once.
 *
 * `ticketRetentionMs` must exceed a day: the daily quota counts the tickets issued since 00:00 UTC,
 * and a ticket that expired over a day ago was issued before that.
 */
export class StreamHousekeeping {
  constructor(
    private readonly tickets: Model<TicketDoc>,
    private readonly revokedSessions: Model<RevokedSessionDoc>,
    private readonly ticketRetentionMs: number,
  ) {
    if (ticketRetentionMs <= 24 * 3_600_000) throw new Error('ticket retention must exceed a day (the daily quota counts today’s tickets)');
  }

  async prune(now = new Date()): Promise<Pruned> {
    const tickets = await this.tickets.deleteMany({ expiresAt: { $lt: new Date(now.getTime() - this.ticketRetentionMs) } });
    const sessions = await this.revokedSessions.deleteMany({ until: { $lt: now } });
    return { tickets: tickets.deletedCount, revokedSessions: sessions.deletedCount };
  }

  /** One scheduled pass: what it pruned is logged, a failure is logged and retried at the next pass. */
  async pruneAndLog(logger: Logger): Promise<void> {
    try {
      const pruned = await this.prune();
      if (pruned.tickets + pruned.revokedSessions > 0) logger.info({ pruned }, 'pruned expired tickets and sessions');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'pruning failed; will retry');
    }
  }
}
