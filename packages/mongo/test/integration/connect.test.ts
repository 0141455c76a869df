import { afterEach, expect, it, jest } from '@jest/globals';
import { type Connection, Schema } from 'mongoose';
import { createLogger } from '@ytm/logger';
import { metricsRegistry } from '@ytm/metrics';
import { infraEnv, uniqueName } from '@ytm/testing';
import { connectMongo, FERRETDB_CONCURRENT_WRITES } from '../../src/index.js';

jest.setTimeout(60_000);

const logger = createLogger({ name: 'mongo-connect-test', level: 'silent' });
const opened: Connection[] = [];
afterEach(async () => {
  for (const conn of opened.splice(0)) {
    await conn.db?.dropDatabase().catch(() => undefined);
    await conn.close();
  }
});

/**
 * The most connections checked out at once while `work` runs (the driver's pool events, by
 * connection: a check-in of an operation that ended before `work` began is not counted).
 */
async function peakCheckedOut(conn: Connection, work: () => Promise<unknown>): Promise<number> {
  const out = new Set<number>();
  let peak = 0;
  const client = conn.getClient();
  const onOut = (e: { connectionId: number }) => {
    out.add(e.connectionId);
    peak = Math.max(peak, out.size);
  };
  const onIn = (e: { connectionId: number }) => out.delete(e.connectionId);
  client.on('connectionCheckedOut', onOut);
  client.on('connectionCheckedIn', onIn);
  try {
    await work();
  } finally {
    client.off('connectionCheckedOut', onOut);
    client.off('connectionCheckedIn', onIn);
  }
  return peak;
}

/** `n` updates at once, each of its own document (FerretDB applies an update as read, modify, write back). */
const writes = async (conn: Connection, n: number) => {
  const things = conn.collection('things');
  await things.insertMany(Array.from({ length: n }, (_, i) => ({ _id: `t${i}` as never, n: 0 })));
  await Promise.all(Array.from({ length: n }, (_, i) => things.updateOne({ _id: `t${i}` as never }, { $inc: { n: 1 } })));
};

it('keeps at most MONGODB_MAX_POOL_SIZE connections to the store; operations beyond wait and all complete (real FerretDB)', async () => {
  const conn = await connectMongo({ url: infraEnv().mongodbUrl, dbName: uniqueName('mongo_pool'), logger, maxPoolSize: 2 });
  opened.push(conn);
  const peak = await peakCheckedOut(conn, () => writes(conn, 40));
  expect(peak).toBe(2);
  const total = await conn
    .collection('things')
    .aggregate([{ $group: { _id: null, n: { $sum: '$n' } } }])
    .toArray();
  expect(total[0]?.n).toBe(40);
});

it('allows 20 connections by default', async () => {
  const conn = await connectMongo({ url: infraEnv().mongodbUrl, dbName: uniqueName('mongo_pool_default'), logger, maxConcurrentWrites: 0 });
  opened.push(conn);
  expect(conn.getClient().options.maxPoolSize).toBe(20);
  expect(await peakCheckedOut(conn, () => writes(conn, 40))).toBeGreaterThan(2);
});

/** `n` reads at once by `_id`. */
const reads = (conn: Connection, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => conn.collection('things').findOne({ _id: `t${i % 10}` as never })));

it('on FerretDB sends at most 2 writes by _id or inserts at a time by default — mongoose models, raw collections, bulk writes — while reads and collection-reading writes are not held; every write lands', async () => {
  const conn = await connectMongo({ url: infraEnv().mongodbUrl, dbName: uniqueName('mongo_write_gate'), logger });
  opened.push(conn);
  expect(FERRETDB_CONCURRENT_WRITES).toBe(2);
  const Counter = conn.model('Counter', new Schema({ _id: String, n: Number, seen: Boolean }));
  // Each write its own document: FerretDB applies an update as read, modify, write back, so two
  // concurrent updates of one document can lose one (not what this test is about).
  await Counter.insertMany(Array.from({ length: 60 }, (_, i) => ({ _id: `c${i}`, n: 0 })));
  const inc = { $inc: { n: 1 } };

  expect(await peakCheckedOut(conn, () => writes(conn, 40))).toBe(2);
  expect(
    await peakCheckedOut(conn, () =>
      Promise.all([
        ...Array.from({ length: 20 }, (_, i) => Counter.updateOne({ _id: `c${i}` }, inc)),
        ...Array.from({ length: 20 }, (_, i) => Counter.findOneAndUpdate({ _id: `c${20 + i}` }, inc)),
        Counter.bulkWrite(Array.from({ length: 20 }, (_, i) => ({ updateOne: { filter: { _id: `c${40 + i}` }, update: inc } }))),
        new Counter({ _id: 'new', n: 1 }).save(),
      ]),
    ),
  ).toBe(2);
  expect(await Counter.countDocuments({ n: 1 })).toBe(61);
  expect(await Counter.exists({ _id: 'new' })).not.toBeNull();
  // The writes waiting their turn are on /metrics while they wait.
  const waiting = async () => Number(/^ytm_store_writes_waiting (\d+)$/m.exec(await metricsRegistry.getSingleMetricAsString('ytm_store_writes_waiting'))?.[1]);
  let settled = false;
  const burst = Promise.all(Array.from({ length: 20 }, (_, i) => Counter.updateOne({ _id: `c${i}` }, inc))).finally(() => (settled = true));
  let most = 0;
  while (!settled) {
    most = Math.max(most, await waiting());
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(most).toBeGreaterThan(0);
  await burst;
  expect(await waiting()).toBe(0);
  // Reads alone use more connections than writes may: the gate holds writes only.
  expect(await peakCheckedOut(conn, () => reads(conn, 40))).toBeGreaterThan(2);
  // Writes that make FerretDB read the whole collection are not held either (each would keep a
  // turn for the whole read): filter-based updates alone use more connections than the gate allows.
  expect(
    await peakCheckedOut(conn, () =>
      Promise.all(Array.from({ length: 20 }, (_, i) => Counter.updateMany({ n: { $gte: 0 }, _id: `c${i}` }, { $set: { seen: true } }))),
    ),
  ).toBeGreaterThan(2);
  expect(await Counter.countDocuments({ seen: true })).toBe(20);
  // A connection with no gate beside it is not held by this one's.
  const free = await connectMongo({ url: infraEnv().mongodbUrl, dbName: uniqueName('mongo_write_free'), logger, maxConcurrentWrites: 0 });
  opened.push(free);
  expect(await peakCheckedOut(free, () => writes(free, 40))).toBeGreaterThan(2);
});

it('takes an explicit limit, insertMany included', async () => {
  const conn = await connectMongo({ url: infraEnv().mongodbUrl, dbName: uniqueName('mongo_write_gate_1'), logger, maxConcurrentWrites: 1 });
  opened.push(conn);
  expect(await peakCheckedOut(conn, () => writes(conn, 30))).toBe(1);
  const batches = Array.from({ length: 10 }, (_, b) => Array.from({ length: 5 }, (_, i) => ({ _id: `m${b}-${i}` as never })));
  expect(await peakCheckedOut(conn, () => Promise.all(batches.map((docs) => conn.collection('many').insertMany(docs))))).toBe(1);
  expect(await conn.collection('many').countDocuments()).toBe(50);
});
