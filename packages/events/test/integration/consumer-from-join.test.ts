import { describe, expect, it, jest } from '@jest/globals';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { createEnvelope, createKafka, startConsumer, type Envelope } from '../../src/index.js';

jest.setTimeout(120_000);

const TOPIC = 'ytm.resource.events';

describe('startConsumer with fromJoin (a group new to Kafka, real broker)', () => {
  it('delivers every event produced once joined is true, for groups produced to the moment they join', async () => {
    const logger = createLogger({ name: 'consumer-test', level: 'warn' });
    const kafka = createKafka({ brokers: infraEnv().kafkaBrokers, clientId: 'consumer-from-join-test', logger });
    const producer = kafka.producer();
    await producer.connect();
    // An event already on the topic before the group exists is not delivered: the group starts at the end.
    const before = createEnvelope('test', 'resource.user.password-changed', 'before', { __typename: 'User', id: uniqueName('before') });
    await producer.send({ topic: TOPIC, messages: [{ key: before.subject, value: JSON.stringify(before) }] });
    try {
      for (let round = 0; round < 5; round += 1) {
        const seen: Envelope[] = [];
        const consumer = startConsumer({
          kafka,
          groupId: uniqueName('from-join'),
          topics: [TOPIC],
          fromJoin: true,
          logger,
          handle: async (event) => void seen.push(event),
        });
        try {
          await waitFor(() => consumer.joined, 60_000, 5, 'the group join');
          // Produced the moment the consumer reports it joined, before its first fetch.
          const event = createEnvelope('test', 'resource.user.password-changed', `round-${round}`, { __typename: 'User', id: uniqueName('u') });
          await producer.send({ topic: TOPIC, messages: [{ key: event.subject, value: JSON.stringify(event) }] });
          await waitFor(() => seen.some((e) => e.id === event.id), 30_000, 20, `event of round ${round}`);
          expect(seen.some((e) => e.id === before.id)).toBe(false);
        } finally {
          await consumer.stop();
        }
      }
    } finally {
      await producer.disconnect();
    }
  });

  it('is live while in its group: from the join until it stops (joined stays true)', async () => {
    const logger = createLogger({ name: 'consumer-test', level: 'warn' });
    const kafka = createKafka({ brokers: infraEnv().kafkaBrokers, clientId: 'consumer-live-test', logger });
    const consumer = startConsumer({ kafka, groupId: uniqueName('live'), topics: [TOPIC], fromJoin: true, logger, handle: async () => undefined });
    expect(consumer.live).toBe(false);
    await waitFor(() => consumer.joined, 60_000, 20, 'the group join');
    expect(consumer.live).toBe(true);
    await consumer.stop();
    expect(consumer.live).toBe(false);
    expect(consumer.joined).toBe(true);
  });

  it('deletes its group from Kafka when it stops', async () => {
    const logger = createLogger({ name: 'consumer-test', level: 'warn' });
    const kafka = createKafka({ brokers: infraEnv().kafkaBrokers, clientId: 'consumer-from-join-test', logger });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const groupId = uniqueName('from-join-gone');
      const groups = async () => (await admin.listGroups()).groups.map((g) => g.groupId);
      const consumer = startConsumer({ kafka, groupId, topics: [TOPIC], fromJoin: true, logger, handle: async () => undefined });
      await waitFor(() => consumer.joined, 60_000, 20, 'the group join');
      expect(await groups()).toContain(groupId);
      await consumer.stop();
      expect(await groups()).not.toContain(groupId);
    } finally {
      await admin.disconnect();
    }
  });
});
