import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { getFreePorts, startKafka } from '../../infra/infra.mjs';
import { dropSystemDatabases } from './databases.js';
import { startSystem } from '../../scripts/system.mjs';
import { metricValue } from './ops-probe.js';
import { gql, SIGN_UP } from './graphql-client.js';

type System = Awaited<ReturnType<typeof startSystem>>;
type KafkaHandle = Awaited<ReturnType<typeof startKafka>>;

/**
 * The transactional outbox end to end, on a private Kafka broker this test stops and restarts:
 * signUp emits resource.user.registered; with Kafka down signUp still succeeds quickly and the
 * event arrives once Kafka is back.
 */
describe('events: outbox to Kafka, surviving a broker outage', () => {
  const { mongodbUrl } = infraEnv();
  const dbPrefix = uniqueName('e2ev');
  const dir = mkdtempSync(join(tmpdir(), 'ytm-kafka-'));
  let broker: KafkaHandle;
  let system: System;
  const seen = new Map<string, { type: string; subject: string; data: Record<string, unknown> }>();
  let consumer: ReturnType<Kafka['consumer']>;

  const startConsumer = async () => {
    const kafka = new Kafka({ brokers: [broker.brokers], clientId: 'e2e-events', logLevel: logLevel.NOTHING, retry: { retries: 10, maxRetryTime: 2_000 } });
    consumer = kafka.consumer({ groupId: uniqueName('e2e-events'), sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'ytm.resource.events', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const e = JSON.parse(message.value!.toString());
        seen.set(e.id, e);
      },
    });
  };

  beforeAll(async () => {
    const [port, controllerPort] = (await getFreePorts(2)) as [number, number];
    broker = await startKafka({ port, controllerPort, dataDir: dir });
    system = await startSystem({ mongodbUrl, kafkaBrokers: broker.brokers, ephemeral: true, dbPrefix, production: true, env: { LOG_LEVEL: 'error' } });
    await startConsumer();
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await system?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
    await dropSystemDatabases(mongodbUrl, dbPrefix);
  });

  const registeredFor = (userId: string) => [...seen.values()].filter((e) => e.type === 'resource.user.registered' && e.subject === userId);

  const signUp = async () => {
    const started = Date.now();
    const r = await gql(system.graphqlUrl, SIGN_UP, {
      input: { email: `ev-${randomUUID().slice(0, 8)}@example.com`, password: 'password-1234', displayName: 'Eve' },
    });
    expect(r.errors).toBeUndefined();
    return { userId: r.data!.signUp.user.id as string, ms: Date.now() - started };
  };

  it('signUp emits resource.user.registered with the CloudEvents envelope', async () => {
    const { userId } = await signUp();
    const [event] = await waitFor(() => (registeredFor(userId).length ? registeredFor(userId) : undefined), 20_000, 100, 'registered event');
    expect(event).toMatchObject({ type: 'resource.user.registered', subject: userId, source: 'ytm-resource', data: { __typename: 'User', id: userId } });
  });

  it('with Kafka stopped signUp still succeeds quickly, and the event is delivered after recovery', async () => {
    await broker.stop();
    const during = await signUp();
    // bcrypt (cost 12) dominates; Kafka being down must add nothing noticeable.
    expect(during.ms).toBeLessThan(3_000);
    // The event waits in resource's outbox (its backlog gauge says so: counted, at most every 15 s, while publishing fails), not delivered.
    await waitFor(async () => (await metricValue(system.services.resource.opsUrl, 'ytm_outbox_backlog')) > 0, 30_000, 250, 'the event held in the outbox');
    expect(registeredFor(during.userId)).toHaveLength(0);
    await broker.restart();
    await waitFor(() => registeredFor(during.userId).length > 0, 60_000, 250, 'event after Kafka recovery');
  });
});
