import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { mongoProcessedEvents } from '../../src/index.js';

jest.setTimeout(60_000);

let conn: mongoose.Connection;
beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('events_test') }).asPromise();
});
afterAll(async () => {
  await conn.db?.dropDatabase().catch(() => undefined);
  await conn.close();
});

describe('mongoProcessedEvents (real FerretDB)', () => {
  it('remembers event IDs once, and prune forgets only those processed before the cut-off', async () => {
    const collection = conn.collection('processed_events');
    const processed = mongoProcessedEvents(collection);
    await processed.add('e-new');
    await processed.add('e-new'); // a redelivery: still one
    await collection.insertMany([
      { _id: 'e-old' as never, at: new Date(Date.now() - 9 * 86_400_000) },
      { _id: 'e-week' as never, at: new Date(Date.now() - 6 * 86_400_000) },
    ]);
    expect(await collection.countDocuments({ _id: 'e-new' as never })).toBe(1);

    expect(await processed.prune(new Date(Date.now() - 8 * 86_400_000))).toBe(1);
    expect(await processed.has('e-old')).toBe(false);
    expect(await processed.has('e-week')).toBe(true);
    expect(await processed.has('e-new')).toBe(true);
    expect(await processed.prune(new Date(Date.now() - 8 * 86_400_000))).toBe(0);
  });
});
