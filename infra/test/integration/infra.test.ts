// Private FerretDB and Kafka on free ports in a temp dir: data round trips, then a Kafka crash and restart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import mongoose from 'mongoose';
import { ensureInstalled, ensureTopics, getFreePorts, idLookupPlan, startFerretDB, startKafka } from '../../infra.mjs';
import type { FerretDBHandle, KafkaHandle } from '../../infra.mjs';

const { Kafka, Partitioners, logLevel } = kafkajs;

let dir: string;
let ferret: FerretDBHandle;
let kafka: KafkaHandle;

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Produces one message and reads it back through a fresh consumer group. */
async function roundTrip(brokers: string, topic: string): Promise<string> {
  const client = new Kafka({ clientId: 'infra-test', brokers: [brokers], logLevel: logLevel.NOTHING });
  const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = client.consumer({ groupId: `infra-test-${randomUUID()}` });
  const value = randomUUID();
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<string>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === value) resolve(value);
        },
      });
    });
    await within(10_000, 'producer send', producer.send({ topic, messages: [{ key: 'k', value }] }));
    return await within(20_000, 'consume', received);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

beforeAll(async () => {
  await ensureInstalled(); // a no-op once cached; the first run on a machine builds FerretDB (~1-2 min)
  dir = mkdtempSync(join(tmpdir(), 'ytm-infra-test-'));
  const [fPort, kPort, cPort] = (await getFreePorts(3)) as [number, number, number];
  const started = await Promise.allSettled([
    startFerretDB({ port: fPort, dataDir: join(dir, 'ferretdb') }),
    startKafka({ port: kPort, controllerPort: cPort, dataDir: join(dir, 'kafka') }),
  ]);
  // Keep whatever did start so afterAll stops it even when the other one failed.
  if (started[0].status === 'fulfilled') ferret = started[0].value;
  if (started[1].status === 'fulfilled') kafka = started[1].value;
  for (const s of started) if (s.status === 'rejected') throw s.reason;
}, 300_000);

afterAll(async () => {
  await Promise.all([ferret?.stop(), kafka?.stop()]);
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('local infra', () => {
  it('FerretDB stores and finds a document', async () => {
    const client = new mongoose.mongo.MongoClient(ferret.url);
    try {
      const tracks = client.db(`infra_test_${process.pid}`).collection('tracks');
      const { insertedId } = await tracks.insertOne({ title: 'Blue in Green', durationMs: 337_000 });
      const found = await tracks.findOne({ _id: insertedId });
      expect(found).toMatchObject({ title: 'Blue in Green', durationMs: 337_000 });
    } finally {
      await client.close();
    }
  });

  it("FerretDB's _id lookups are index seeks in collections created at any time, also after a crash", async () => {
    const client = new mongoose.mongo.MongoClient(ferret.url);
    const db = `infra_ids_${process.pid}`;
    const planOf = async (coll: string) => {
      // The helper indexes new tables within ~250 ms; wait on the plan itself.
      const deadline = Date.now() + 15_000;
      let plan = '';
      while (Date.now() < deadline) {
        plan = await idLookupPlan(ferret.dataDir, db, coll).catch((err: Error) => err.message);
        if (plan.startsWith('SEARCH')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return plan;
    };
    try {
      await client
        .db(db)
        .collection('before')
        .insertMany([{ _id: 'a' }, { _id: 'b' }] as never[]);
      expect(await planOf('before')).toMatch(/^SEARCH \S+ USING INDEX \S+__ytm_sjson_id \(<expr>=\?\)$/);
      await ferret.kill();
      await ferret.restart();
      await client
        .db(db)
        .collection('after')
        .insertOne({ _id: 'c' } as never);
      expect(await planOf('after')).toMatch(/^SEARCH \S+ USING INDEX \S+__ytm_sjson_id/);
      // Reads through the index return what a scan would.
      expect(
        await client
          .db(db)
          .collection('before')
          .findOne({ _id: 'b' } as never),
      ).toEqual({ _id: 'b' });
      expect(
        await client
          .db(db)
          .collection('before')
          .findOne({ _id: 'z' } as never),
      ).toBeNull();
    } finally {
      await client.close();
    }
  }, 60_000);

  it('Kafka round-trips a message', async () => {
    expect(await ensureTopics(kafka.brokers, ['infra.test'], { numPartitions: 3 })).toEqual(['infra.test']);
    expect(await ensureTopics(kafka.brokers, ['infra.test'])).toEqual([]);
    await roundTrip(kafka.brokers, 'infra.test');
  }, 30_000);

  it('Kafka works again after kill -9 and restart, keeping its data', async () => {
    const before = kafka.pid;
    await kafka.kill();
    expect(kafka.alive()).toBe(false);
    await kafka.restart();
    expect(kafka.pid).not.toBe(before);
    expect(await ensureTopics(kafka.brokers, ['infra.test'])).toEqual([]); // topic survived the crash
    await roundTrip(kafka.brokers, 'infra.test');
  }, 60_000);
});
