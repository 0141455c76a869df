import { afterEach, expect, it, jest } from '@jest/globals';
import type { Connection } from 'mongoose';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName } from '@ytm/testing';
import { connectMongo } from '../../src/index.js';

jest.setTimeout(60_000);

const logger = createLogger({ name: 'mongo-connect-test', level: 'silent' });
const opened: Connection[] = [];
afterEach(async () => {
  for (const conn of opened.splice(0)) {
    await conn.db?.dropDatabase().catch(() => undefined);
    await conn.close();
  }
});

/** The most connections checked out at once while `work` runs (the driver's pool events). */
async function peakCheckedOut(conn: Connection, work: () => Promise<unknown>): Promise<number> {
  let out = 0;
  let peak = 0;
  const client = conn.getClient();
  const onOut = () => (peak = Math.max(peak, ++out));
  const onIn = () => out--;
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
  const conn = await connectMongo({ url: infraEnv().mongodbUrl, dbName: uniqueName('mongo_pool_default'), logger });
  opened.push(conn);
  expect(conn.getClient().options.maxPoolSize).toBe(20);
  expect(await peakCheckedOut(conn, () => writes(conn, 40))).toBeGreaterThan(2);
});
