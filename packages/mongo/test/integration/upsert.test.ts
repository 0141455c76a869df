import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { isDuplicateKeyError, upsert } from '../../src/index.js';

// Hundreds of writes to real FerretDB: on the shared machine under load that takes more than jest's 5 s.
jest.setTimeout(60_000);

let conn: Connection;
beforeAll(async () => {
  conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName: uniqueName('mongo_upsert'), retryWrites: false }).asPromise();
});
afterAll(async () => {
  await conn.db?.dropDatabase();
  await conn.close();
});

const ROUNDS = 25;
const WRITERS = 4;

/** Per round, WRITERS upserts of one new `_id` at once: which of them failed, and what was stored. */
async function race(write: (id: string, writer: number) => Promise<unknown>) {
  const failures: unknown[] = [];
  const ids: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const id = `doc-${round}`;
    ids.push(id);
    const settled = await Promise.allSettled(Array.from({ length: WRITERS }, (_, writer) => write(id, writer)));
    for (const s of settled) if (s.status === 'rejected') failures.push(s.reason);
  }
  return { failures, ids };
}

it('the store itself fails some of several upserts that insert the same new _id at once (what upsert() is for)', async () => {
  const raw = conn.collection('raw');
  const { failures } = await race((id, writer) => raw.updateOne({ _id: id as never }, { $set: { writer } }, { upsert: true }));
  // FerretDB 1.24 fails most of them with E11000 (MongoDB retries such an insert itself; if the
  // store ever does, this fails and upsert() is no longer needed).
  expect(failures.length).toBeGreaterThan(0);
  expect(failures.every(isDuplicateKeyError)).toBe(true);
});

it('updateOne and replaceOne upserts through upsert() all succeed when they race, and one document per _id holds a writer’s value', async () => {
  const updates = conn.collection('updates');
  const updated = await race((id, writer) => upsert(() => updates.updateOne({ _id: id as never }, { $max: { n: writer } }, { upsert: true })));
  expect(updated.failures).toEqual([]);
  const replaces = conn.collection('replaces');
  const replaced = await race((id, writer) => upsert(() => replaces.replaceOne({ _id: id as never }, { writer }, { upsert: true })));
  expect(replaced.failures).toEqual([]);

  expect(await updates.countDocuments()).toBe(ROUNDS);
  expect(await replaces.countDocuments()).toBe(ROUNDS);
  for (const id of updated.ids) {
    expect([0, 1, 2, 3]).toContain((await updates.findOne<{ n: number }>({ _id: id as never }))?.n);
    expect([0, 1, 2, 3]).toContain((await replaces.findOne<{ writer: number }>({ _id: id as never }))?.writer);
  }
});

it('a duplicate of another unique index is not an upsert race: it fails after its retries and writes nothing', async () => {
  const users = conn.collection('users');
  await users.createIndex({ email: 1 }, { unique: true });
  await users.insertOne({ _id: 'u1' as never, email: 'a@ytm.test' });
  let calls = 0;
  const err = await upsert(() => {
    calls += 1;
    return users.updateOne({ _id: 'u2' as never }, { $set: { email: 'a@ytm.test' } }, { upsert: true });
  }).catch((e: unknown) => e);
  expect(isDuplicateKeyError(err)).toBe(true);
  expect(calls).toBe(3);
  expect(await users.countDocuments()).toBe(1);
});
