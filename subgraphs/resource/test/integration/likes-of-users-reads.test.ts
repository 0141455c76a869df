import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName } from '@ytm/testing';
import { MongoLikeRepository } from '../../src/persistence/like.repository.js';
import { pruneReadModels, READ_MODEL_INTENTS, READ_MODELS, ReadModel, SUPERSEDED_RETENTION_MS } from '../../src/persistence/read-model.js';
import { ReadModelIntents } from '../../src/persistence/read-model-intents.js';

// Real FerretDB on a shared machine: hooks and tests may take more than jest's 5 s.
jest.setTimeout(60_000);

// "Replicas": repositories on their own connections to one database. Each connection records the
// commands it sends while `recording` is on (as subgraphs/stream/test/integration/ticket-reads.test.ts).
let dbName: string;
const conns: Connection[] = [];
let recording = false;
const filters: Array<{ collection: string; command: string; filter: unknown }> = [];
const others: string[] = [];

async function connect(): Promise<Connection> {
  const conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false, monitorCommands: true }).asPromise();
  conn.getClient().on('commandStarted', (e) => {
    if (!recording) return;
    const cmd = e.command as Record<string, unknown>;
    if (e.commandName === 'find') filters.push({ collection: String(cmd.find), command: 'find', filter: cmd.filter });
    else if (e.commandName === 'update')
      for (const u of cmd.updates as Array<{ q: unknown }>) filters.push({ collection: String(cmd.update), command: 'update', filter: u.q });
    else others.push(`${e.commandName} ${String(cmd[e.commandName] ?? '')}`);
  });
  conns.push(conn);
  return conn;
}

/** The commands `call` sends, checked to name exactly one document each: `{ _id: <string> }` (FerretDB 1.x's only index use). */
async function byIdOnly<T>(call: () => Promise<T>): Promise<{ result: T; reads: string[] }> {
  filters.length = 0;
  others.length = 0;
  recording = true;
  let result: T;
  try {
    result = await call();
  } finally {
    recording = false;
  }
  for (const { filter } of filters) {
    expect(Object.keys(filter as object)).toEqual(['_id']);
    expect(typeof (filter as { _id: unknown })._id).toBe('string');
  }
  expect(others).toEqual([]);
  return { result, reads: filters.map((f) => `${f.collection} ${f.command} ${(f.filter as { _id: string })._id}`) };
}

function replica(conn: Connection) {
  const intents = new ReadModelIntents(conn.collection(READ_MODEL_INTENTS));
  return new MongoLikeRepository(conn.collection('likes'), conn.collection(READ_MODELS), intents);
}

let a: MongoLikeRepository;
let b: MongoLikeRepository;

beforeAll(async () => {
  dbName = uniqueName('resource_likes_of_users');
  a = replica(await connect());
  b = replica(await connect());
  await a.init();
  await Promise.all([a.backfill(), b.backfill()]);
});
afterAll(async () => {
  await conns[0]?.db?.dropDatabase();
  await Promise.all(conns.map((c) => c.close()));
});

type Pair = { userId: string; trackId: string; likedAt: Date };
const canonical = (likes: Pair[]) => likes.map((l) => `${l.userId}|${l.trackId}|${new Date(l.likedAt).toISOString()}`).sort();

/** What likesOfUsers answered before the liked sets: one query of `likes` (the test's own, not recorded). */
async function oldQuery(userIds: string[], trackIds: string[]): Promise<Pair[]> {
  return conns[0]!
    .collection('likes')
    .find<Pair>(
      { trackId: { $in: trackIds }, userId: { $in: userIds }, _deleted: { $ne: true } },
      { projection: { _id: 0, userId: 1, trackId: 1, likedAt: 1 } },
    )
    .toArray();
}

describe('likesOfUsers from the liked sets (real FerretDB)', () => {
  it('answers as the query of `likes` did: active likes only, those of tracks that left the library included; by `_id` only', async () => {
    const tag = randomUUID().slice(0, 6);
    const [ann, bob, carl, dora, nobody] = ['ann', 'bob', 'carl', 'dora', 'nobody'].map((n) => `${n}-${tag}`) as [string, string, string, string, string];
    const [t1, t2, t3, t4] = [1, 2, 3, 4].map((i) => `t${i}${tag}`) as [string, string, string, string];
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    await a.like(ann, t1, at(1));
    await a.like(ann, t2, at(2));
    await b.like(bob, t2, at(3));
    await b.like(carl, t1, at(4));
    await a.unlike(carl, t1);
    await a.like(carl, t4, at(5)); // a track not asked for
    await b.like(dora, t3, at(6));
    await a.setTrackRemoved(t3, true); // t3 left the library: its like stays (as the query answered it)
    const users = [ann, bob, carl, dora, nobody];
    const asked = [t1, t2, t3];
    const expected = [
      `${ann}|${t1}|${at(1).toISOString()}`,
      `${ann}|${t2}|${at(2).toISOString()}`,
      `${bob}|${t2}|${at(3).toISOString()}`,
      `${dora}|${t3}|${at(6).toISOString()}`,
    ].sort();
    expect(canonical(await oldQuery(users, asked))).toEqual(expected);

    // A replica that holds none of the users, then one that holds some (from requests of their own).
    const c = replica(await connect());
    await c.backfill(); // as every replica at its start (one scan of `likes`, before any request)
    const cold = await byIdOnly(() => c.likesOfUsers(users, asked));
    expect(canonical(cold.result)).toEqual(expected);
    await c.likedAmong(ann, [t1]);
    const warm = await byIdOnly(() => c.likesOfUsers([...users, ann], [...asked, t1]));
    expect(canonical(warm.result)).toEqual(expected);
    // Nothing read from `likes`, only the users' sets; the held one (asked for twice) with a single probe.
    for (const { reads } of [cold, warm]) expect(reads.filter((r) => !r.startsWith(`${READ_MODELS} find liked:`))).toEqual([]);
    expect(warm.reads.filter((r) => r.includes(`liked:${ann}`))).toHaveLength(1);
    // The removed track back in the library: still the same answer.
    await a.setTrackRemoved(t3, false);
    expect(canonical(await c.likesOfUsers(users, asked))).toEqual(canonical(await oldQuery(users, asked)));
    expect(await c.likesOfUsers([], asked)).toEqual([]);
    expect(await c.likesOfUsers(users, [])).toEqual([]);
  });

  it('sees likes and unlikes written through another replica, whether it holds the user or not', async () => {
    const tag = randomUUID().slice(0, 6);
    const [held, notHeld] = [`held-${tag}`, `cold-${tag}`];
    const [t1, t2] = [`x1${tag}`, `x2${tag}`];
    await a.like(held, t1, new Date());
    expect(canonical(await b.likesOfUsers([held, notHeld], [t1, t2]))).toEqual(canonical(await oldQuery([held, notHeld], [t1, t2])));
    await b.likedAmong(held, [t1]); // b holds `held`'s set from a request of its own
    await a.like(held, t2, new Date());
    await a.like(notHeld, t2, new Date());
    await a.unlike(held, t1);
    const pairs = (await b.likesOfUsers([held, notHeld], [t1, t2])).map((l) => `${l.userId}:${l.trackId}`).sort();
    expect(pairs).toEqual([`${held}:${t2}`, `${notHeld}:${t2}`].sort());
    expect(canonical(await b.likesOfUsers([held, notHeld], [t1, t2]))).toEqual(canonical(await oldQuery([held, notHeld], [t1, t2])));
  });
});

describe('ReadModel.readMany', () => {
  const source = { all: async () => new Map<string, string[]>(), one: async () => [] as string[], empty: () => [] as string[] };
  const model = async (options: { maxKeys?: number; heldTrustMs?: number } = {}) => {
    const m = new ReadModel<string[]>((await connect()).collection(READ_MODELS), 'batch', source, options);
    await m.backfill();
    return m;
  };

  it('reads by the rule of `read`, and never pushes a key requests hold out of memory', async () => {
    const [writer, full, roomy] = [await model(), await model({ maxKeys: 1 }), await model({ maxKeys: 3 })];
    const keys = Array.from({ length: 6 }, () => randomUUID());
    for (const k of keys) await writer.update(k, () => [k]);
    const k0 = keys[0]!;
    for (const reader of [full, roomy]) expect(await reader.read(k0)).toEqual([k0]);
    await writer.update(k0, (base) => [...base, 'more']);
    const expected = new Map<string, string[]>([...keys.map((k, i) => [k, i === 0 ? [k, 'more'] : [k]] as [string, string[]]), ['never-written', []]]);
    const cost = async (reader: ReadModel<string[]>, key: string) => (await byIdOnly(() => reader.readMany([key]))).reads.length;

    // No room: the held key probes from its held version (a next one, then none: 2 reads); the others, once
    // each, their head, a next version and their newest version (3 reads; 2 for a key never written).
    const { result, reads } = await byIdOnly(() => full.readMany([...keys, keys[1]!, 'never-written'], 3));
    expect(result).toEqual(expected);
    expect(reads).toHaveLength(2 + 5 * 3 + 2);
    // Still held, and none of the batch's keys taken in.
    expect((await byIdOnly(() => full.read(k0))).reads).toEqual([`${READ_MODELS} find batch:${k0}#3`]);
    for (const k of keys.slice(1)) expect(await cost(full, k)).toBe(3);

    // Room for two more: two of the batch's keys are taken in (a probe each from then on), k0 stays.
    expect(await roomy.readMany(keys, 3)).toEqual(new Map([...expected].filter(([k]) => k !== 'never-written')));
    expect(await cost(roomy, k0)).toBe(1);
    let total = 0;
    for (const k of keys.slice(1)) total += await cost(roomy, k);
    expect(total).toBe(2 * 1 + 3 * 3);
  });

  it('reads the newest value after housekeeping deleted the versions after a long-held one', async () => {
    const [writer, stale] = [await model(), await model({ heldTrustMs: -1 })];
    const key = randomUUID();
    for (let i = 1; i <= 3; i++) await writer.update(key, (base) => [...base, `i${i}`]);
    expect(await stale.read(key)).toEqual(['i1', 'i2', 'i3']);
    for (let i = 4; i <= 8; i++) await writer.update(key, (base) => [...base, `i${i}`]);
    expect(await pruneReadModels(conns[0]!.collection(READ_MODELS), new Date(Date.now() + SUPERSEDED_RETENTION_MS + 1_000))).toBeGreaterThan(0);
    expect((await stale.readMany([key])).get(key)).toEqual(Array.from({ length: 8 }, (_, i) => `i${i + 1}`));
  });
});
