import { randomUUID } from 'node:crypto';
import { createEnvelope, startConsumer, topicOf, type EventPublisher, type RunningConsumer, type StartConsumerOptions } from '@ytm/events';
import type { Logger } from '@ytm/logger';

/**
 * How long an announcement waits for others to share its message batch. kafkajs spends some
 * milliseconds of CPU on each produce request and on each fetch and commit of every replica: on a
 * storm of renames (bench/router's `profile`), 10 ms cost resource 0.75 ms per rename, 50 ms 0.26.
 */
const ANNOUNCE_EVERY_MS = 50;

/** `ytm.resource.user-changes`: read by resource's replicas only. */
const TOPIC = topicOf('resource.user.changed');

export interface UserChangeFeed {
  /** Tells the other replicas that a user was written (best effort, not awaited). */
  announce(userId: string): void;
  /** True once the feed joined Kafka: from then on, every replica's user changes reach `forget`. */
  readonly joined: boolean;
  stop(): Promise<void>;
}

/**
 * How the replicas' user caches (`persistence/user-reads.ts`) learn of changes made elsewhere: after
 * every write of a user its replica announces `resource.user.changed` on a topic of its own
 * (`TOPICS.userChanges`: the router and subsonic, which read `ytm.resource.events`, never see these),
 * and each replica reads it in a consumer group of its own from the moment it joins. A hint, not an
 * outbox event: a lost one is bounded by the cache's age limit.
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
    topics: [TOPIC],
    logger,
    fromJoin: true,
    handle: async (event) => {
      if (event.type === 'resource.user.changed') forget(event.subject);
    },
  });
  // Writes close together go out in one message batch: one produce request, and one fetch on every
  // replica, per burst rather than per write. One batch is sent at a time: while Kafka is away, what
  // comes meanwhile waits for the next (one warning per failed send, not one per batch).
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (!stopped) timer ??= setTimeout(() => void flush(), ANNOUNCE_EVERY_MS);
  };
  const flush = (): Promise<void> | undefined => {
    clearTimeout(timer);
    timer = undefined;
    if (sending || pending.size === 0) return sending;
    const messages = [...pending].map((userId) => {
      const envelope = createEnvelope(options.source, 'resource.user.changed', userId, { __typename: 'User', id: userId });
      return { key: userId, value: JSON.stringify(envelope), headers: { 'ce-id': envelope.id } };
    });
    pending.clear();
    sending = publisher
      .send(TOPIC, messages)
      .catch((err: unknown) =>
        logger.warn({ err, users: messages.length }, 'user changes not announced: other replicas read them again within the cache age limit'),
      )
      .finally(() => {
        sending = undefined;
        if (pending.size > 0) schedule();
      });
    return sending;
  };
  return {
    announce(userId) {
      pending.add(userId);
      schedule();
    },
    get joined() {
      return consumer.joined;
    },
    async stop() {
      stopped = true;
      await sending;
      await flush();
      await consumer.stop();
    },
  };
}
