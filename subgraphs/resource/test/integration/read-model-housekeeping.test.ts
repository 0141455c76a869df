import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { mongoProcessedEvents } from '@ytm/events';
import { createLogger } from '@ytm/logger';
import { infraEnv, uniqueName } from '@ytm/testing';
import { MongoAnnotationRepository } from '../../src/persistence/annotation.repository.js';
import { ResourceHousekeeping } from '../../src/persistence/housekeeping.js';
import { pruneReadModels, READ_MODEL_INTENTS, READ_MODELS, ReadModel, SUPERSEDED_RETENTION_MS } from '../../src/persistence/read-model.js';
import { ReadModelIntents } from '../../src/persistence/read-model-intents.js';

// Two "replicas" of a read model on their own connections to one database; the source is a
// counter of scans (there must be none after the backfill, deletions or not).
const conns: Connection[] = [];
let scans = 0;
const source = { all: async () => new Map<string, string[]>(), one: async () => (scans++, [] as string[]), empty: () => [] as string[] };

async function connect(): Promise<Connection> {
  const conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false }).asPromise();
  conns.push(conn);
  return conn;
}
let dbName: string;
beforeAll(() => {
  dbName = uniqueName('resource_read_model_prune');
});
afterAll(async () => {
  await conns[0]?.db?.dropDatabase();
  await Promise.all(conns.map((c) => c.close()));
});

async function model(heldTrustMs?: number): Promise<ReadModel<string[]>> {
  const m = new ReadModel((await connect()).collection(READ_MODELS), 'test', source, { heldTrustMs });
  await m.backfill();
  return m;
}
const versionsOf = async (key: string) =>
  (
    await conns[0]!
      .collection(READ_MODELS)
      .find({ _id: { $regex: `^test:${key}#` } } as never)
      .toArray()
  )
    .map((d) => Number(d.version))
    .sort((x, y) => x - y);

it('deletes superseded versions once their successor is old; replicas that held older versions still read the newest, without a scan', async () => {
  const [writer, stale, fresh] = [await model(), await model(-1), await model()];
  const key = randomUUID();
  for (let i = 1; i <= 3; i++) await writer.update(key, (base) => [...base, `i${i}`]);
  // `stale` holds version 3 and, trusting it for no time at all, acts as a replica that held it for long.
  expect(await stale.read(key)).toEqual(['i1', 'i2', 'i3']);
  for (let i = 4; i <= 12; i++) await writer.update(key, (base) => [...base, `i${i}`]);
  expect(await versionsOf(key)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const docs = conns[0]!.collection(READ_MODELS);

  // Successors younger than the retention: nothing goes.
  expect(await pruneReadModels(docs, new Date())).toBe(0);
  // Past it: versions 2 … 10 go; 1 (the seed's `_id`), 11 and the head's 12 stay.
  const later = new Date(Date.now() + SUPERSEDED_RETENTION_MS + 1_000);
  expect(await pruneReadModels(docs, later)).toBe(9);
  expect(await versionsOf(key)).toEqual([1, 11, 12]);
  expect(await pruneReadModels(docs, later)).toBe(0);

  const all = Array.from({ length: 12 }, (_, i) => `i${i + 1}`);
  expect(await stale.read(key)).toEqual(all);
  expect(await fresh.read(key)).toEqual(all);
  expect(await writer.read(key)).toEqual(all);
  // Writers on every replica go on from the newest version.
  await stale.update(key, (base) => [...base, 'i13']);
  await fresh.update(key, (base) => [...base, 'i14']);
  expect(await writer.read(key)).toEqual([...all, 'i13', 'i14']);
  expect(await versionsOf(key)).toEqual([1, 11, 12, 13, 14]);
  expect(scans).toBe(0);
});

it('keeps every version when the head names none (a writer died before writing it) and the versions a lagging head needs', async () => {
  const writer = await model();
  const key = randomUUID();
  for (let i = 1; i <= 6; i++) await writer.update(key, (base) => [...base, `v${i}`]);
  const docs = conns[0]!.collection(READ_MODELS);
  // The head lags at 3 (as after writers that died between their insert and the head write).
  await docs.updateOne({ _id: `test:${key}` as never }, { $set: { version: 3 } });
  const later = new Date(Date.now() + SUPERSEDED_RETENTION_MS + 1_000);
  await pruneReadModels(docs, later);
  expect(await versionsOf(key)).toEqual([1, 2, 3, 4, 5, 6]);
  await docs.deleteOne({ _id: `test:${key}` as never });
  await pruneReadModels(docs, later);
  expect(await versionsOf(key)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(await (await model()).read(key)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
});

it('runs in resource housekeeping: an annotation list keeps its newest versions and reads the same afterwards', async () => {
  const conn = await connect();
  const intents = new ReadModelIntents(conn.collection(READ_MODEL_INTENTS));
  const repo = new MongoAnnotationRepository(conn.collection('annotations'), conn.collection(READ_MODELS), intents);
  await repo.backfill();
  const user = randomUUID();
  for (let i = 0; i < 8; i++) await repo.update(user, 'album', `al_${i}`, () => ({ rating: (i % 5) + 1, starredAt: null }));
  const before = await repo.listByUser(user, 100);
  expect(before).toHaveLength(8);
  const housekeeping = new ResourceHousekeeping(
    { sweep: async () => 0 },
    mongoProcessedEvents(conn.collection('processed_events')),
    86_400_000,
    createLogger({ name: 'housekeeping-test', level: 'silent' }),
    undefined,
    { prune: (now) => pruneReadModels(conn.collection(READ_MODELS), now), everyMs: 600_000 },
  );
  const ids = async () =>
    (
      await conn
        .collection(READ_MODELS)
        .find({ _id: { $regex: `^annotated:${user}#` } } as never)
        .toArray()
    )
      .map((d) => String(d._id))
      .sort();
  expect(await ids()).toHaveLength(8);
  await housekeeping.pruneAndLog(new Date(Date.now() + SUPERSEDED_RETENTION_MS + 1_000));
  expect(await ids()).toEqual([`annotated:${user}#1`, `annotated:${user}#7`, `annotated:${user}#8`]);
  expect(await repo.listByUser(user, 100)).toEqual(before);
  const other = new MongoAnnotationRepository((await connect()).collection('annotations'), conns.at(-1)!.collection(READ_MODELS), intents);
  expect(await other.listByUser(user, 100)).toEqual(before);
});
