import type { ProcessedEvents } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import type { MongoPlaylistRepository } from './playlist.repository.js';
import type { MongoSessionRepository } from './session.repository.js';

/** How long sessions are kept past their end, and how often they are swept. */
export interface SessionRetention {
  sessions: Pick<MongoSessionRepository, 'pruneEnded'>;
  /** The access-token lifetime: a token issued just before the session ended lives this long. */
  graceMs: number;
  refreshTtlMs: number;
  everyMs: number;
}

/** Superseded read-model versions (`pruneReadModels`), and how often they are swept. */
export interface ReadModelRetention {
  prune(now: Date): Promise<number>;
  everyMs: number;
}

/**
 * Deletes what no rule reads any more (FerretDB has no TTL indexes): playlist versions older than
 * a minute that no head points at; sessions (with their refresh claims, token documents and revocation markers)
 * past their last possible use, every `SessionRetention.everyMs`; superseded read-model versions
 * (`pruneReadModels`), every `ReadModelRetention.everyMs`; and, hourly, consumed event IDs
 * older than Kafka could redeliver. Safe on every replica at once.
 */
export class ResourceHousekeeping {
  private lastEventPrune = 0;
  private lastSessionPrune = 0;
  private lastReadModelPrune = 0;

  constructor(
    private readonly playlists: Pick<MongoPlaylistRepository, 'sweep'>,
    private readonly processedEvents: ProcessedEvents,
    private readonly processedEventsRetentionMs: number,
    private readonly logger: Logger,
    private readonly sessionRetention?: SessionRetention,
    private readonly readModelRetention?: ReadModelRetention,
  ) {}

  /** One scheduled pass; failures are logged and retried at the next pass. */
  async pruneAndLog(now = new Date()): Promise<void> {
    await this.playlists.sweep(60_000, now).catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'playlist version sweep failed'));
    await this.pruneSessions(now);
    await this.pruneReadModels(now);
    if (now.getTime() - this.lastEventPrune < 3_600_000 || !this.processedEvents.prune) return;
    this.lastEventPrune = now.getTime();
    try {
      const pruned = await this.processedEvents.prune(new Date(now.getTime() - this.processedEventsRetentionMs));
      if (pruned > 0) this.logger.info({ pruned }, 'pruned processed event IDs');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'processed events prune failed');
    }
  }

  private async pruneReadModels(now: Date): Promise<void> {
    const r = this.readModelRetention;
    if (!r || now.getTime() - this.lastReadModelPrune < r.everyMs) return;
    this.lastReadModelPrune = now.getTime();
    try {
      const pruned = await r.prune(now);
      if (pruned > 0) this.logger.info({ pruned }, 'pruned superseded read-model versions');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'read-model version prune failed');
    }
  }

  private async pruneSessions(now: Date): Promise<void> {
    const r = this.sessionRetention;
    if (!r || now.getTime() - this.lastSessionPrune < r.everyMs) return;
    this.lastSessionPrune = now.getTime();
    try {
      const pruned = await r.sessions.pruneEnded(now, r.graceMs, r.refreshTtlMs);
      if (pruned.sessions + pruned.claims + pruned.revocations + pruned.tokens > 0) this.logger.info({ pruned }, 'pruned ended sessions');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'session prune failed');
    }
  }
}
