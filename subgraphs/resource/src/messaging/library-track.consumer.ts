import { startConsumer, TOPICS, type ProcessedEvents, type RunningConsumer, type StartConsumerOptions } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import type { RemovedTrackRepository } from '../domain/track-catalog.js';

export interface LibraryTrackConsumerOptions {
  kafka: StartConsumerOptions['kafka'];
  groupId: string;
  fromBeginning: boolean;
  logger: Logger;
  processed: ProcessedEvents;
  removedTracks: RemovedTrackRepository;
  /** Further reactions to a track leaving (true) or coming back after it left (false), e.g. likes. */
  onTrackPresence?: (trackId: string, removed: boolean, at: Date) => Promise<void>;
}

/** `library.track.removed|added` → removed-track marks; deduplicated by event id, handlers idempotent anyway. */
export function startLibraryTrackConsumer(options: LibraryTrackConsumerOptions): RunningConsumer {
  const { removedTracks, onTrackPresence } = options;
  return startConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topics: [TOPICS.library],
    logger: options.logger,
    processed: options.processed,
    fromBeginning: options.fromBeginning,
    handle: async (event) => {
      if (event.type !== 'library.track.removed' && event.type !== 'library.track.added') return;
      const data = event.data as { id?: unknown };
      const trackId = typeof data.id === 'string' ? data.id : event.subject;
      const at = new Date(event.time);
      const removed = event.type === 'library.track.removed';
      if (removed) {
        await removedTracks.markRemoved(trackId, at);
        await onTrackPresence?.(trackId, true, at);
      } else if (await removedTracks.removedBefore(trackId, at)) {
        // A track coming back: its likes follow first, the mark goes last, so a redelivery after a
        // failed pass still finds the mark and finishes. Every track a scan adds comes here; one
        // never removed costs one read by `_id` (its likes are looked at only when it was removed).
        await onTrackPresence?.(trackId, false, at);
        await removedTracks.markRestored(trackId, at);
      }
    },
  });
}
