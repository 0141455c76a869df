import type { ProcessedEvents } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import type { MongoPlaylistRepository } from './playlist.repository.js';

/**
 * Deletes what no rule reads any more (FerretDB has no TTL indexes): playlist versions older than
 * a minute that no head points at, and, hourly, consumed event IDs older than Kafka could
 * redeliver. Safe on every replica at once.
 */
export class ResourceHousekeeping {
  private lastEventPrune = 0;

  constructor(
    private readonly playlists: Pick<MongoPlaylistRepository, 'sweep'>,
    private readonly processedEvents: ProcessedEvents,
    private readonly processedEventsRetentionMs: number,
    private readonly logger: Logger,
  ) {}

  /** One scheduled pass; failures are logged and retried at the next pass. */
  async pruneAndLog(now = new Date()): Promise<void> {
    await this.playlists.sweep(60_000, now).catch((err: unknown) => this.logger.warn({ err: (err as Error).message }, 'playlist version sweep failed'));
    if (now.getTime() - this.lastEventPrune < 3_600_000 || !this.processedEvents.prune) return;
    this.lastEventPrune = now.getTime();
    try {
      const pruned = await this.processedEvents.prune(new Date(now.getTime() - this.processedEventsRetentionMs));
      if (pruned > 0) this.logger.info({ pruned }, 'pruned processed event IDs');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'processed events prune failed');
    }
  }
}
