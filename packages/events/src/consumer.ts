import { runWithTrace, traceFrom } from '@ytm/trace';
import { upsert } from '@ytm/mongo';
import type { Consumer, Kafka } from 'kafkajs';
import type { Collection } from 'mongoose';
import type { Logger } from '@ytm/logger';
import { parseEnvelope, type Envelope } from './envelope.js';
import { labelledGauge } from '@ytm/metrics';

const consumerLag = labelledGauge('ytm_kafka_consumer_lag', 'Messages behind the partition high watermark, per consumer group and topic', [
  'group',
  'topic',
  'partition',
]);

/** Remembers processed event IDs so a redelivered event is applied once. */
export interface ProcessedEvents {
  has(eventId: string): Promise<boolean>;
  add(eventId: string): Promise<void>;
  /**
   * Forgets events processed before `before`; returns how many. Only safe for events Kafka can no
   * longer redeliver: keep them longer than the topics' retention (7 days by default).
   */
  prune?(before: Date): Promise<number>;
}

/** ProcessedEvents on a MongoDB collection (`_id` = event id). */
export function mongoProcessedEvents(collection: Collection): Required<ProcessedEvents> {
  return {
    has: async (id) => (await collection.countDocuments({ _id: id as never }, { limit: 1 })) > 0,
    add: async (id) => {
      await upsert(() => collection.updateOne({ _id: id as never }, { $setOnInsert: { at: new Date() } }, { upsert: true }));
    },
    prune: async (before) => (await collection.deleteMany({ at: { $lt: before } })).deletedCount,
  };
}

export interface StartConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  logger: Logger;
  handle: (event: Envelope, meta: { topic: string; partition: number }) => Promise<void>;
  /** Omit for handlers that are idempotent by themselves. */
  processed?: ProcessedEvents;
  fromBeginning?: boolean;
  /**
   * For a group new to Kafka (one per process, as the router's): start at the partitions' ends as
   * they were just before joining, so every event produced once `joined` is true is delivered.
   * (Kafka's own "latest" is read at the first fetch, after the join: an event produced in
   * between would be skipped.)
   *
   * Such a group is this process's alone: `stop` deletes it from Kafka (best effort, bounded), so a
   * restart does not leave one behind until Kafka's offset retention (7 days) drops it.
   */
  fromJoin?: boolean;
}

export interface RunningConsumer {
  stop(): Promise<void>;
  /** True once the consumer joined its group at least once. */
  readonly joined: boolean;
  /**
   * True while the consumer is in its group: from each join until it crashes, disconnects or
   * stops (a broker that went away is noticed when kafkajs gives up on it and restarts).
   */
  readonly live: boolean;
}

/**
 * Consumes envelopes with dedupe by event id. A handler failure is retried by Kafka (the
 * offset is not committed); a malformed message is logged and skipped. When the broker is
 * unreachable the consumer keeps trying to join in the background.
 */
export function startConsumer(options: StartConsumerOptions): RunningConsumer {
  const { kafka, groupId, topics, logger, handle, processed, fromBeginning = false, fromJoin = false } = options;
  const log = logger.child({ component: 'consumer', groupId });
  let consumer: Consumer | undefined;
  let stopped = false;
  const state = { joined: false, live: false };

  const run = async (): Promise<void> => {
    let attempt = 0;
    while (!stopped) {
      const c = kafka.consumer({ groupId, retry: { retries: 5, maxRetryTime: 5_000 }, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
      consumer = c;
      // Taken before this attempt joins; applied at its first join only (later ones resume from commits).
      let startAt = fromJoin && !state.joined ? await endOffsets(kafka, topics).catch(() => undefined) : undefined;
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        for (const [topic, partitions] of Object.entries(startAt ? payload.memberAssignment : {})) {
          for (const partition of partitions) {
            const offset = startAt?.get(`${topic}:${partition}`);
            if (offset !== undefined) c.seek({ topic, partition, offset });
          }
        }
        startAt = undefined;
        state.joined = true;
        state.live = true;
      });
      for (const away of [c.events.CRASH, c.events.DISCONNECT, c.events.STOP]) c.on(away, () => (state.live = false));
      // Router groups are per instance (random ids); label them by prefix to bound cardinality.
      const groupLabel = groupId.replace(/-[0-9a-f-]{36}$/, '');
      c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
        consumerLag.set({ group: groupLabel, topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag));
      });
      try {
        await c.connect();
        for (const topic of topics) await c.subscribe({ topic, fromBeginning });
        await c.run({
          eachMessage: async ({ message, topic, partition }) => {
            const event = parseEnvelope(message.value);
            if (!event) {
              log.warn({ topic, partition, offset: message.offset }, 'skipping message that is not an event envelope');
              return;
            }
            const header = message.headers?.traceparent;
            await runWithTrace(traceFrom(header ? header.toString() : undefined), async () => {
              if (processed && (await processed.has(event.id))) return;
              await handle(event, { topic, partition });
              await processed?.add(event.id);
            });
          },
        });
        return; // kafkajs now supervises the consumer (restartOnFailure)
      } catch (err) {
        attempt += 1;
        if (attempt === 1 || attempt % 10 === 0) log.warn({ err: (err as Error).message, attempt }, 'consumer could not start; retrying');
        await c.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** Math.min(attempt, 5))));
      }
    }
  };
  const running = run();

  return {
    get joined() {
      return state.joined;
    },
    get live() {
      return state.live && !stopped;
    },
    async stop() {
      stopped = true;
      await consumer?.disconnect().catch(() => undefined);
      await running.catch(() => undefined);
      if (fromJoin && state.joined) await deleteGroup(kafka, groupId, log);
    },
  };
}

/** Deletes a group that has no members left; a failure (Kafka away, 2 s passed) only leaves it to Kafka's retention. */
async function deleteGroup(kafka: Kafka, groupId: string, log: Logger): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const deleting = (async () => {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  })();
  try {
    await Promise.race([deleting, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out after 2 s')), 2_000)))]);
    log.debug('consumer group deleted');
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'consumer group not deleted; Kafka drops it after its offset retention');
  } finally {
    clearTimeout(timer);
    deleting.catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** Every partition's end offset (`topic:partition` → offset) of these topics, now. */
async function endOffsets(kafka: Kafka, topics: string[]): Promise<Map<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, string>();
    for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}:${p.partition}`, p.offset);
    return ends;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
