import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import { createKafka, EventPublisher, OUTBOX_FIELD, OutboxRelay, outboxEntry } from '../../src/index.js';

// Real FerretDB and Kafka on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

const logger = createLogger({ name: 'outbox-relay-test', level: 'silent' });
let conn: Connection;
/** The filter of every find and update the relay sends to the collection under test. */
const filters: unknown[] = [];
let collectionName: string;

beforeAll(async () => {
  collectionName = uniqueName('things');
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('events_relay_test'), monitorCommands: true }).asPromise();
  conn.getClient().on('commandStarted', (e) => {
    const cmd = e.command as Record<string, unknown>;
    if (e.commandName === 'find' && cmd.find === collectionName) filters.push(cmd.filter);
    if (e.commandName === 'update' && cmd.update === collectionName) for (const u of cmd.updates as Array<{ q: unknown }>) filters.push(u.q);
  });
});
afterAll(async () => {
  await conn?.db?.dropDatabase().catch(() => undefined);
  await conn?.close();
});

const event = (id: string) => outboxEntry('resource', 'resource.user.password-changed', id, { __typename: 'User', id });
const scans = () => filters.filter((f) => JSON.stringify(f).includes(`${OUTBOX_FIELD}.0`)).length;

describe('OutboxRelay (real FerretDB and Kafka)', () => {
  it('drains a document its writer names by `_id`, without a scan per write; an unnamed notify still scans', async () => {
    const collection = conn.collection(collectionName);
    await collection.insertMany(Array.from({ length: 50 }, () => ({ _id: randomUUID() as never, quiet: true })));
    const publisher = new EventPublisher(createKafka({ brokers: infraEnv().kafkaBrokers, clientId: uniqueName('relay-test'), logger }));
    // Polls far apart: only the first pass (at start) scans on its own during the test.
    const relay = new OutboxRelay({ collections: [collection], publisher, logger, pollIntervalMs: 120_000, maxIdleIntervalMs: 120_000 });
    relay.start();
    try {
      await waitFor(() => scans() === 1, 10_000, 20, 'the start-up scan');
      const named = Array.from({ length: 5 }, () => randomUUID());
      for (const id of named) {
        await collection.insertOne({ _id: id as never, [OUTBOX_FIELD]: [event(id)] });
        relay.notify(collectionName, id);
      }
      await waitFor(() => relay.published === 5, 20_000, 20, 'five named documents published');
      for (const id of named) expect((await collection.findOne({ _id: id as never }))?.[OUTBOX_FIELD]).toEqual([]);
      // No scan since the start: every read and write named one document.
      expect(scans()).toBe(1);
      for (const f of filters.slice(1)) expect(Object.keys(f as object)).toEqual(['_id']);

      // A document no writer named (its process stopped before notifying) goes out with the next scan.
      const orphan = randomUUID();
      await collection.insertOne({ _id: orphan as never, [OUTBOX_FIELD]: [event(orphan)] });
      relay.notify();
      await waitFor(() => relay.published === 6, 20_000, 20, 'the orphan published by a scan');
      expect(scans()).toBeGreaterThanOrEqual(2);
    } finally {
      await relay.stop();
      await publisher.close();
    }
  });

  it('stops at once when stopped during a pass, not after the pause that would follow it', async () => {
    const collection = conn.collection(uniqueName('stopping'));
    await collection.insertOne({ _id: randomUUID() as never, quiet: true });
    const publisher = new EventPublisher(createKafka({ brokers: infraEnv().kafkaBrokers, clientId: uniqueName('relay-stop-test'), logger }));
    try {
      const relay = new OutboxRelay({ collections: [collection], publisher, logger, pollIntervalMs: 120_000, maxIdleIntervalMs: 120_000 });
      relay.start(); // its first pass (the start-up scan) is under way: stop() lands in it
      const started = Date.now();
      await relay.stop();
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await publisher.close();
    }
  });

  it('answers the gauge without a count while idle, and counts while publishing fails until a scan finds nothing again', async () => {
    const name = uniqueName('gauge');
    const collection = conn.collection(name);
    let counts = 0;
    const counted = (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.commandName === 'find' && e.command.find === name && JSON.stringify(e.command.filter).includes(`${OUTBOX_FIELD}.0`)) counts += 1;
    };
    conn.getClient().on('commandStarted', counted);
    // A broker that fails on demand (the relay's failure path; the real broker's outage is test/e2e/events).
    let down = false;
    const sent: string[] = [];
    const publisher = {
      send: async (_topic: string, messages: Array<{ value: string }>) => {
        if (down) throw new Error('broker down');
        for (const m of messages) sent.push((JSON.parse(m.value) as { id: string }).id);
      },
    };
    const relay = new OutboxRelay({ collections: [collection], publisher: publisher as never, logger, pollIntervalMs: 120_000, maxIdleIntervalMs: 120_000 });
    relay.start();
    try {
      await waitFor(() => relay.idle, 10_000, 20, 'the start-up scan found nothing');
      const before = counts;
      for (const later of [0, 20_000, 40_000]) expect(await relay.recentBacklog(Date.now() + later)).toBe(0);
      expect(counts).toBe(before);

      down = true;
      const id = randomUUID();
      await collection.insertOne({ _id: id as never, [OUTBOX_FIELD]: [event(id)] });
      relay.notify(name, id);
      await waitFor(() => !relay.idle, 10_000, 20, 'the publish failed');
      expect(await relay.recentBacklog()).toBe(1);
      expect(counts).toBe(before + 1);

      down = false;
      await waitFor(() => sent.length === 1 && relay.idle, 20_000, 20, 'published after the outage, then a scan that found nothing');
      const after = counts;
      expect(await relay.recentBacklog(Date.now() + 60_000)).toBe(0);
      expect(counts).toBe(after);
    } finally {
      await relay.stop();
      conn.getClient().off('commandStarted', counted);
    }
  });

  it('counts the backlog for the metrics gauge at most every 15 s, however often it is asked', async () => {
    const collection = conn.collection(collectionName);
    const publisher = new EventPublisher(createKafka({ brokers: infraEnv().kafkaBrokers, clientId: uniqueName('relay-backlog-test'), logger }));
    try {
      // Not started: nothing publishes, so the backlog is what the test writes.
      const relay = new OutboxRelay({ collections: [collection], publisher, logger });
      const pending = Array.from({ length: 3 }, () => randomUUID());
      await collection.insertMany(pending.map((id) => ({ _id: id as never, [OUTBOX_FIELD]: [event(id)] })));
      const counted = await relay.backlog();
      expect(counted).toBeGreaterThanOrEqual(3);
      const before = scans();
      const t0 = Date.now();
      // Ten scrapes at once and ten more within the 15 s: one count.
      const first = await Promise.all(Array.from({ length: 10 }, () => relay.recentBacklog(t0)));
      for (let i = 0; i < 10; i++) expect(await relay.recentBacklog(t0 + 14_000)).toBe(counted);
      expect(first).toEqual(Array(10).fill(counted));
      expect(scans() - before).toBe(1);
      // Past 15 s the next scrape counts again and sees a new event.
      const later = randomUUID();
      await collection.insertOne({ _id: later as never, [OUTBOX_FIELD]: [event(later)] });
      expect(await relay.recentBacklog(t0 + 15_000)).toBe(counted + 1);
      expect(scans() - before).toBe(2);
    } finally {
      await publisher.close();
    }
  });
});
