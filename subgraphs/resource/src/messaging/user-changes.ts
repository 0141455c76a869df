import { randomUUID } from 'node:crypto';
import { createEnvelope, startConsumer, TOPICS, type EventPublisher, type RunningConsumer, type StartConsumerOptions } from '@ytm/events';
import type { Logger } from '@ytm/logger';

export interface UserChangeFeed {
  /** Tells the other replicas that a user's display name or role changed (best effort, not awaited). */
  announce(userId: string): void;
  /** True once the feed joined Kafka: from then on, every replica's user changes reach `forget`. */
  readonly joined: boolean;
  stop(): Promise<void>;
}

/**
 * How the replicas' user caches (`persistence/user-reads.ts`) learn of changes made elsewhere: every
 * `resource.user.*` event, read by each replica in a consumer group of its own from the moment it
 * joins. Plan and password changes are outbox events already; a display name or role change is
 * announced here after its write (`resource.user.updated`), as a hint: a lost one is bounded by
 * the cache's age limit.
 */
export function startUserChangeFeed(options: {
  kafka: StartConsumerOptions['kafka'];
  publisher: Pick<EventPublisher, 'send'>;
  source: string;
  logger: Logger;
  forget: (userId: string) => void;
  groupPrefix?: string;
}): UserChangeFeed {
  const { publisher, logger, forget } = options;
  const consumer: RunningConsumer = startConsumer({
    kafka: options.kafka,
    groupId: `${options.groupPrefix ?? 'ytm-resource-users'}-${randomUUID()}`,
    topics: [TOPICS.resource],
    logger,
    fromJoin: true,
    handle: async (event) => {
      if (event.type.startsWith('resource.user.')) forget(event.subject);
    },
  });
  return {
    announce(userId) {
      const envelope = createEnvelope(options.source, 'resource.user.updated', userId, { __typename: 'User', id: userId });
      publisher
        .send(TOPICS.resource, [{ key: userId, value: JSON.stringify(envelope), headers: { 'ce-id': envelope.id } }])
        .catch((err: unknown) => logger.warn({ err, userId }, 'user change not announced: other replicas read it again within the cache age limit'));
    },
    get joined() {
      return consumer.joined;
    },
    stop: () => consumer.stop(),
  };
}
