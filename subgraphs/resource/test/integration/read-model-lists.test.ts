import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { MongoLikeRepository } from '../../src/persistence/like.repository.js';
import { pruneReadModels, READ_MODEL_INTENTS, READ_MODELS, ReadModel, SUPERSEDED_RETENTION_MS } from '../../src/persistence/read-model.js';
import { ReadModelIntents } from '../../src/persistence/read-model-intents.js';

// Replicas of list models on their own connections to one database (real FerretDB). What each
// connection sends to `read_models` is recorded: the size of every insert, and reads other than by `_id`.
interface Item {
  id: string;
  n: number;
}
const conns: Connection[] = [];
const inserts: Array<{ id: string; bytes: number; whole: boolean }> = [];
const scans: unknown[] = [];
let dbName: string;

async function connect(): Promise<Connection> {
  const conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false, monitorCommands: true }).asPromise();
  conn.getClient().on('commandStarted', (e) => {
    if (e.command.insert === READ_MODELS)
      for (const d of e.command.documents as Array<{ _id: string; value?: unknown }>)
        inserts.push({ id: d._id, bytes: JSON.stringify(d).length, whole: d.value !== undefined });
    if (e.command.find === READ_MODELS && typeof (e.command.filter as { _id?: unknown } | undefined)?._id !== 'string') scans.push(e.command.filter);
  });
  conns.push(conn);
  return conn;
}
beforeAll(async () => {
  dbName = uniqueName('resource_read_model_lists');
  own = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false }).asPromise();
});
afterAll(async () => {
  await own.db?.dropDatabase();
  await Promise.all([own, ...conns].map((c) => c.close()));
});

const source = { all: async () => new Map<string, Item[]>(), one: async () => [] as Item[], empty: () => [] as Item[] };
async function listModel(): Promise<ReadModel<Item[]>> {
  const m = new ReadModel<Item[]>((await connect()).collection(READ_MODELS), 'items', source, { listKey: (e) => e.id });
  await m.backfill();
  return m;
}
/** How every list model's writers change a list: the element's old entry out, its new one (if any) in. */
const put = (id: string, n: number | null) => (base: Item[]) => [...base.filter((e) => e.id !== id), ...(n === null ? [] : [{ id, n }])];
const sorted = (items: Item[]) => [...items].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
/** The key's version documents, read on a connection of the test's own (not recorded). */
let own: Connection;
const docsOf = async (key: string) =>
  (
    await own
      .collection(READ_MODELS)
      .find({ _id: { $regex: `^items:${key}#` } } as never)
      .toArray()
  ).sort((x, y) => Number(x.version) - Number(y.version));

it('a list model stores each version as what changed: replicas, one that slept through snapshots and a new one read the same list', async () => {
  const [a, b] = [await listModel(), await listModel()];
  const key = randomUUID();
  const truth = new Map<string, number>();
  // 2,000 elements in one commit: the first version is a snapshot.
  const first = Array.from({ length: 2_000 }, (_, i) => ({ id: `e${String(i).padStart(4, '0')}`, n: 0 }));
  await a.update(key, () => first);
  for (const e of first) truth.set(e.id, 0);
  expect(await b.read(key)).toHaveLength(2_000);

  // `a` commits 120 changes while `b` reads nothing (it sleeps through two snapshots), then both commit at once.
  let step = 0;
  let commits = 1;
  const change = (m: ReadModel<Item[]>) => {
    step++;
    // Some remove an element that is not there (beyond e1999): nothing to commit.
    const id = `e${String((step * 7919) % 2_200).padStart(4, '0')}`;
    const n = step % 5 === 0 ? null : step;
    if (n === null ? truth.has(id) : truth.get(id) !== n) commits++;
    return m.update(key, put(id, n)).then(() => (n === null ? truth.delete(id) : truth.set(id, n)));
  };
  inserts.length = 0;
  for (let i = 0; i < 120; i++) await change(a);
  for (let i = 0; i < 20; i++) await Promise.all([change(a), change(b)]);
  const expected = sorted([...truth].map(([id, n]) => ({ id, n })));
  expect(sorted(await a.read(key))).toEqual(expected);
  expect(sorted(await b.read(key))).toEqual(expected);
  const fresh = await listModel();
  expect(sorted(await fresh.read(key))).toEqual(expected);

  // Snapshots only when the changes since the last one outgrow √2,000 ≈ 45: a handful in ~130 commits;
  // every other version's document is its changes, whatever the list's length.
  const docs = await docsOf(key);
  expect(docs.length).toBe(commits);
  expect(commits).toBeGreaterThan(120);
  // Snapshots carry no `since` (their whole value may have been dropped since); the rest their changes.
  const snapshots = docs.filter((d) => d.since === undefined);
  expect(snapshots.length).toBeGreaterThanOrEqual(3);
  expect(snapshots.length).toBeLessThanOrEqual(6);
  for (const d of docs.filter((x) => x.since !== undefined)) expect((d.changes as unknown[]).length).toBeLessThanOrEqual(45);
  // Every insert (concurrent attempts included) but the snapshots' is a few kB at most.
  const attempts = inserts.filter((i) => i.id.startsWith(`items:${key}#`));
  expect(attempts.filter((i) => i.whole).length).toBeLessThanOrEqual(snapshots.length + 2);
  expect(Math.max(...attempts.filter((i) => !i.whole).map((i) => i.bytes))).toBeLessThan(4_000);
  // A superseded snapshot's whole value is dropped once a newer snapshot replaces it.
  expect(docs.filter((d) => d.value !== undefined).length).toBe(1);
  expect(scans).toEqual([]);
});

it('housekeeping keeps the snapshot the newest versions build on; every replica reads the same afterwards and writes on', async () => {
  const [writer, held] = [await listModel(), await listModel()];
  const key = randomUUID();
  await writer.update(key, () => Array.from({ length: 100 }, (_, i) => ({ id: `x${i}`, n: 0 })));
  for (let i = 0; i < 40; i++) await writer.update(key, put(`x${i}`, i + 1));
  // A snapshot at version 34 (33 changes since version 1 outgrow 32), then changes since it up to 41.
  const before = await writer.read(key);
  expect(sorted(await held.read(key))).toEqual(sorted(before));
  const later = new Date(Date.now() + SUPERSEDED_RETENTION_MS + 1_000);
  const docs = conns[0]!.collection(READ_MODELS);
  await pruneReadModels(docs, later);
  // (housekeeping's one scan)
  scans.length = 0;
  const left = await docsOf(key);
  const newest = left.at(-1)!;
  expect(newest.since).toBeDefined();
  expect(left.map((d) => Number(d.version))).toEqual([1, Number(newest.since), 40, 41]);
  expect(left.find((d) => d.version === newest.since)!.value).toHaveLength(100);
  expect(sorted(await (await listModel()).read(key))).toEqual(sorted(before));
  await held.update(key, put('y', 1));
  expect(sorted(await writer.read(key))).toEqual(sorted([...before, { id: 'y', n: 1 }]));
  expect(scans).toEqual([]);
});

it('a change that leaves a key without versions as it was still commits, so a backfill from an older scan cannot bring back what it removed', async () => {
  const key = randomUUID();
  // The backfill's scan was taken while `u1` was in the list; the source no longer has it.
  const stale = { all: async () => new Map([[key, [{ id: 'u1', n: 1 }]]]), one: async () => [] as Item[], empty: () => [] as Item[] };
  const replica = async () => new ReadModel<Item[]>((await connect()).collection(READ_MODELS), 'items', stale, { listKey: (e) => e.id });
  const [a, b] = [await replica(), await replica()];
  // `a` removes u1 (already gone from the source: nothing changes), then `b`'s backfill seeds its scan.
  await a.update(key, put('u1', null));
  await b.backfill();
  expect(await b.read(key)).toEqual([]);
  expect(await (await replica()).read(key)).toEqual([]);
});

it('a slow read does not take back a commit the replica made meanwhile', async () => {
  const conn = await connect();
  const docs = conn.collection(READ_MODELS);
  // Reads of the version after 1 are held back until the commit of version 2 is done.
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const key = randomUUID();
  const slowDocs = new Proxy(docs, {
    get(target, prop, receiver) {
      if (prop !== 'findOne') return Reflect.get(target, prop, receiver) as unknown;
      return async (filter: { _id: string }, ...rest: unknown[]) => {
        const found = await (target.findOne as (...a: unknown[]) => Promise<unknown>).call(target, filter, ...rest);
        if (filter._id === `items:${key}#2` && found === null) await gate;
        return found;
      };
    },
  });
  const m = new ReadModel<Item[]>(slowDocs, 'items', source, { listKey: (e) => e.id, heldTrustMs: 60_000 });
  await m.backfill();
  await m.update(key, put('a', 1));
  // A read (probing for version 2, found none) waits; meanwhile a commit makes version 2.
  const slow = m.read(key);
  await new Promise((r) => setImmediate(r));
  const other = new ReadModel<Item[]>(docs, 'items', source, { listKey: (e) => e.id });
  await other.update(key, put('b', 2));
  await m.update(key, put('c', 3));
  release();
  await slow;
  // Held (what `shown` answers from without a read): version 3, with a, b and c, not the slow read's version 1.
  expect(sorted(m.heldValue(key)!)).toEqual([
    { id: 'a', n: 1 },
    { id: 'b', n: 2 },
    { id: 'c', n: 3 },
  ]);
});

it('a like by a user with 3,000 likes writes the like, not the set; another replica shows it', async () => {
  const conn = await connect();
  const userId = randomUUID();
  const likes = conn.collection('likes');
  const trackIds = Array.from({ length: 3_000 }, (_, i) => `trk${String(i).padStart(6, '0')}`);
  await likes.insertMany(
    trackIds.map((t, i) => ({ _id: `${userId}:${t}`, userId, trackId: t, likedAt: new Date(Date.now() - i * 1000), trackRemoved: false })) as never,
  );
  const replica = async () => {
    const c = await connect();
    const repo = new MongoLikeRepository(c.collection('likes'), c.collection(READ_MODELS), new ReadModelIntents(c.collection(READ_MODEL_INTENTS)));
    await repo.backfill();
    return repo;
  };
  const [a, b] = [await replica(), await replica()];
  expect((await a.likedAmong(userId, trackIds)).size).toBe(3_000);
  expect((await b.likedAmong(userId, trackIds)).size).toBe(3_000);
  inserts.length = 0;
  for (let i = 0; i < 5; i++) await a.like(userId, `new${String(i).padStart(6, '0')}`, new Date());
  const setInserts = inserts.filter((i) => i.id.startsWith(`liked:${userId}#`));
  expect(setInserts).toHaveLength(5);
  // The whole set would be over 150 kB; a version of it is the like.
  for (const i of setInserts) expect(i.bytes).toBeLessThan(2_000);
  const shown = await b.likedAmong(userId, ['new000004', 'trk000000', 'trk002999']);
  expect([...shown.keys()].sort()).toEqual(['new000004', 'trk000000', 'trk002999']);
  expect((await b.listLiked(userId, { first: 1 })).totalCount).toBe(3_005);
  await b.unlike(userId, 'trk000001');
  expect((await a.likedAmong(userId, ['trk000001', 'trk000002'])).has('trk000001')).toBe(false);
});
