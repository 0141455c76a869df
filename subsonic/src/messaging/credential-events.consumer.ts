import { randomUUID } from 'node:crypto';
import { startConsumer, TOPICS, type createKafka, type RunningConsumer } from '@ytm/events';
import type { Logger } from '@ytm/logger';
import type { CredentialCache } from '../auth/credential-cache.js';

/**
 * Every subsonic instance reads resource's and library's events in a consumer group of its own
 * (from the latest offset: older events concern nothing it remembers) and drops what a key
 * revocation, a password change or a plan change makes stale, and its artist index on library
 * changes, within the event's delivery time.
 */
export function startCredentialEventsConsumer(options: {
  kafka: ReturnType<typeof createKafka>;
  cache: CredentialCache;
  logger: Logger;
  /** Any library change (the artist index is rebuilt at the next request). */
  onLibraryChange: () => void;
  groupPrefix?: string;
}): RunningConsumer {
  const { cache } = options;
  return startConsumer({
    kafka: options.kafka,
    groupId: `${options.groupPrefix ?? 'ytm-subsonic'}-${randomUUID()}`,
    topics: [TOPICS.resource, TOPICS.library],
    logger: options.logger,
    fromBeginning: false,
    handle: async (event) => {
      const type: string = event.type;
      if (type === 'resource.apikey.revoked') {
        const data = event.data as { id: string; userId: string };
        cache.forgetApiKey(data.id, data.userId);
        options.logger.info({ apiKeyId: data.id, userId: data.userId }, 'API key revoked: forgotten');
      } else if (type === 'resource.user.password-changed' || type === 'resource.user.plan-changed') {
        cache.forgetUser(event.subject);
      } else if (type.startsWith('library.track.')) {
        options.onLibraryChange();
      }
    },
  });
}
