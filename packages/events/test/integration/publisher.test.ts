import { afterAll, describe, expect, it, jest } from '@jest/globals';
import type { Kafka, Producer, ProducerConfig } from 'kafkajs';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { createKafka, EventPublisher, PublisherClosedError } from '../../src/index.js';

// Real Kafka on a shared machine: connecting may take more than jest's 5 s.
jest.setTimeout(60_000);

const logger = createLogger({ name: 'publisher-test', level: 'silent' });
const kafka = createKafka({ brokers: infraEnv().kafkaBrokers, clientId: 'publisher-test', logger });

/** The real client, with every producer the publisher makes recorded and its connection state followed. */
function recordingKafka() {
  const producers: Array<{ producer: Producer; connected: boolean; connects: number }> = [];
  const client = Object.create(kafka) as Kafka;
  client.producer = (config?: ProducerConfig) => {
    const producer = kafka.producer(config);
    const entry = { producer, connected: false, connects: 0 };
    producer.on(producer.events.CONNECT, () => {
      entry.connected = true;
      entry.connects += 1;
    });
    producer.on(producer.events.DISCONNECT, () => (entry.connected = false));
    producers.push(entry);
    return producer;
  };
  return { client, producers, open: () => producers.filter((p) => p.connected).length };
}

const leftOpen: Producer[] = [];
afterAll(async () => {
  await Promise.all(leftOpen.map((p) => p.disconnect().catch(() => undefined)));
});

describe('EventPublisher.close (real Kafka)', () => {
  it('sends, and after close no producer is left connected', async () => {
    const { client, producers, open } = recordingKafka();
    const publisher = new EventPublisher(client);
    await publisher.send(uniqueName('publisher-test'), [{ value: 'one' }]);
    expect(open()).toBe(1);
    await publisher.close();
    expect(open()).toBe(0);
    leftOpen.push(...producers.map((p) => p.producer));
  });

  it('closed while connecting: the send fails and the producer being connected is disconnected, not kept', async () => {
    const { client, producers, open } = recordingKafka();
    const publisher = new EventPublisher(client);
    const sending = publisher.send(uniqueName('publisher-test'), [{ value: 'late' }]).then(
      () => 'sent',
      (err: unknown) => err,
    );
    await waitFor(() => producers.length === 1, 5_000, 5, 'the producer being connected');
    await publisher.close();
    expect(await sending).toBeInstanceOf(Error);
    // Whatever kafkajs was doing when close() came, the producer ends disconnected and stays so.
    await waitFor(() => open() === 0, 10_000, 20, 'no producer connected');
    expect(producers).toHaveLength(1);
    leftOpen.push(...producers.map((p) => p.producer));
  });

  it('a send after close fails at once with PublisherClosedError and makes no producer', async () => {
    const { client, producers } = recordingKafka();
    const publisher = new EventPublisher(client);
    await publisher.close();
    await expect(publisher.send(uniqueName('publisher-test'), [{ value: 'after' }])).rejects.toBeInstanceOf(PublisherClosedError);
    expect(producers).toHaveLength(0);
  });
});
