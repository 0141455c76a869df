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
  /** Tells the other replicas that a user's liked set has this version now (best effort, not awaited). */
  announceLikes(userId: string, version: number): void;
  /** True once the feed joined Kafka: from then on, every replica's announcements reach this one. */
  readonly joined: boolean;
  /** True while the feed is in its group (joined, and not crashed, disconnected or stopped since). */
  readonly live: boolean;
  stop(): Promise<void>;
}

/**
 * How the replicas' in-memory reads of users (`persistence/user-reads.ts`) and liked sets
 * (`persistence/liked-sets.ts`) learn of changes made elsewhere: after every write of a user its
 * replica announces `resource.user.changed`, after every new version of a liked set
 * `resource.user.likes-changed` with that version, on a topic of their own (`TOPICS.userChanges`:
 * the router and subsonic, which read `ytm.resource.events`, never see these), and each replica
 * reads it in a consumer group of its own from the moment it joins. Hints, not outbox events: a lost
 * one is bounded by the holders' age limit.
 */
export function startUserChangeFeed(options: {
  kafka: StartConsumerOptions['kafka'];
  publisher: Pick<EventPublisher, 'send'>;
  source: string;
  logger: Logger;
  forget: (userId: string) => void;
  likesChanged: (userId: string, version: number) => void;
  groupPrefix?: string;
}): UserChangeFeed {
  const { publisher, logger, forget, likesChanged } = options;
  const consumer: RunningConsumer = startConsumer({
    kafka: options.kafka,
    groupId: `${options.groupPrefix ?? 'ytm-resource-users'}-${randomUUID()}`,
    topics: [TOPIC],
    logger,
    fromJoin: true,
    handle: async (event) => {
      if (event.type === 'resource.user.changed') forget(event.subject);
      else if (event.type === 'resource.user.likes-changed') {
        const { version } = event.data as { version?: unknown };
        if (typeof version === 'number' && Number.isSafeInteger(version) && version > 0) likesChanged(event.subject, version);
        else logger.warn({ eventId: event.id, subject: event.subject }, 'liked-set announcement without a version: ignored');
      }
    },
  });
  // Writes close together go out in one message batch: one produce request, and one fetch on every
  // replica, per burst rather than per write. One batch is sent at a time: while Kafka is away, what
  // comes meanwhile waits for the next (one warning per failed send, not one per batch).
  const users = new Set<string>();
  /** User → the newest version of their liked set committed here since the last batch. */
  const likes = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (!stopped) timer ??= setTimeout(() => void flush(), ANNOUNCE_EVERY_MS);
  };
  const message = (envelope: ReturnType<typeof createEnvelope>) => ({
    key: envelope.subject,
    value: JSON.stringify(envelope),
    headers: { 'ce-id': envelope.id },
  });
  const flush = (): Promise<void> | undefined => {
    clearTimeout(timer);
    timer = undefined;
    if (sending || users.size + likes.size === 0) return sending;
    const messages = [
      ...[...users].map((userId) => message(createEnvelope(options.source, 'resource.user.changed', userId, { __typename: 'User', id: userId }))),
      ...[...likes].map(([userId, version]) =>
        message(createEnvelope(options.source, 'resource.user.likes-changed', userId, { __typename: 'User', id: userId, version })),
      ),
    ];
    users.clear();
    likes.clear();
    sending = publisher
      .send(TOPIC, messages)
      .catch((err: unknown) =>
        logger.warn({ err, messages: messages.length }, 'user changes not announced: other replicas read them again within the age limit'),
      )
      .finally(() => {
        sending = undefined;
        if (users.size + likes.size > 0) schedule();
      });
    return sending;
  };
  return {
    announce(userId) {
      users.add(userId);
      schedule();
    },
    announceLikes(userId, version) {
      likes.set(userId, Math.max(version, likes.get(userId) ?? 0));
      schedule();
    },
    get joined() {
      return consumer.joined;
    },
    get live() {
      return consumer.live;
    },
    async stop() {
      stopped = true;
      await sending;
      await flush();
      await consumer.stop();
    },
  };
}
