import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import mongoose, { type Connection } from 'mongoose';
import { infraEnv, uniqueName, waitFor } from '@ytm/testing';
import type { Playlist } from '../../src/domain/playlist.js';
import { MongoAnnotationRepository } from '../../src/persistence/annotation.repository.js';
import { MongoApiKeyRepository } from '../../src/persistence/api-key.repository.js';
import { MongoLikeRepository } from '../../src/persistence/like.repository.js';
import { PLAYLIST_HEADS, PLAYLIST_STATES, PLAYLIST_VERSIONS } from '../../src/persistence/playlist.model.js';
import { MongoPlaylistRepository } from '../../src/persistence/playlist.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS } from '../../src/persistence/read-model.js';
import { ReadModelIntents } from '../../src/persistence/read-model-intents.js';

// Two "replicas": repositories on their own connections to one database. Reads of `likes`,
// `playlists`, `annotations` and `api_keys` other than by `_id` are recorded per connection.
let dbName: string;
const conns: Connection[] = [];
const scans: Array<{ collection: string; filter: unknown }> = [];

async function connect(): Promise<Connection> {
  const conn = await mongoose.createConnection(infraEnv().mongodbUrl, { dbName, retryWrites: false, monitorCommands: true }).asPromise();
  conn.getClient().on('commandStarted', (e) => {
    const collection = String(e.command.find ?? '');
    const filter = e.command.filter as Record<string, unknown> | undefined;
    const byId = filter !== undefined && Object.keys(filter).length === 1 && typeof filter._id === 'string';
    if (
      (collection === 'likes' || collection === PLAYLIST_HEADS || collection === 'annotations' || collection === 'api_keys') &&
      !byId &&
      !JSON.stringify(filter ?? {}).includes('_outbox')
    )
      scans.push({ collection, filter });
  });
  conns.push(conn);
  return conn;
}

function replica(conn: Connection) {
  const intents = new ReadModelIntents(conn.collection(READ_MODEL_INTENTS));
  const likes = new MongoLikeRepository(conn.collection('likes'), conn.collection(READ_MODELS), intents);
  const playlists = new MongoPlaylistRepository(
    conn.collection(PLAYLIST_HEADS),
    conn.collection(PLAYLIST_VERSIONS),
    conn.collection(PLAYLIST_STATES),
    conn.collection(READ_MODELS),
    intents,
  );
  const annotations = new MongoAnnotationRepository(conn.collection('annotations'), conn.collection(READ_MODELS), intents);
  const apiKeys = new MongoApiKeyRepository(conn.collection('api_keys'), conn.collection(READ_MODELS), intents);
  return { likes, playlists, annotations, apiKeys, intents, conn };
}

let a: ReturnType<typeof replica>;
let b: ReturnType<typeof replica>;

beforeAll(async () => {
  dbName = uniqueName('resource_read_models');
  a = replica(await connect());
  b = replica(await connect());
  await a.likes.init();
  await a.playlists.init();
  // A fresh database: nothing to backfill; from here on a key without a read model has nothing.
  await Promise.all([a, b].flatMap((r) => [r.likes.backfill(), r.playlists.backfill(), r.annotations.backfill(), r.apiKeys.backfill()]));
  scans.length = 0;
});
afterAll(async () => {
  await conns[0]?.db?.dropDatabase();
  await Promise.all(conns.map((c) => c.close()));
});

const tracks = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${String(i).padStart(4, '0')}`);

/** The user's likes as the `likes` collection says (a scan: the test's own, not recorded). */
async function truth(userId: string): Promise<string[]> {
  const recorded = scans.length;
  const docs = await conns[0]!
    .collection('likes')
    .find({ userId, _deleted: { $ne: true } })
    .toArray();
  scans.length = recorded;
  return docs.map((d) => String(d.trackId)).sort();
}
const likedOn = async (r: ReturnType<typeof replica>, userId: string, ids: string[]) => [...(await r.likes.likedAmong(userId, ids)).keys()].sort();

it('converges to the truth when two replicas like and unlike the same user’s tracks at once', async () => {
  const user = randomUUID();
  const ids = tracks(24, 'conv');
  const now = new Date();
  // Both replicas at once: a likes the first 16, b the last 16 (8 in common); then both unlike a
  // mix, racing each other's likes of the same tracks.
  await Promise.all([
    ...ids.slice(0, 16).map((t) => a.likes.like(user, t, now)),
    ...ids.slice(8).map((t) => b.likes.like(user, t, now)),
    ...ids.filter((_, i) => i % 3 === 0).map((t) => b.likes.unlike(user, t)),
    ...ids.filter((_, i) => i % 5 === 0).map((t) => a.likes.unlike(user, t)),
  ]);
  const expected = await truth(user);
  expect(expected.length).toBeGreaterThan(0);
  expect(await likedOn(a, user, ids)).toEqual(expected);
  expect(await likedOn(b, user, ids)).toEqual(expected);
  // A third replica that held nothing agrees, and so does the listing.
  const c = replica(await connect());
  expect(await likedOn(c, user, ids)).toEqual(expected);
  expect((await c.likes.listLiked(user, { first: 100 })).totalCount).toBe(expected.length);
  // And then unliking everything from both sides leaves nothing.
  await Promise.all(ids.map((t, i) => (i % 2 === 0 ? a : b).likes.unlike(user, t)));
  expect(await truth(user)).toEqual([]);
  expect(await likedOn(a, user, ids)).toEqual([]);
  expect(await likedOn(b, user, ids)).toEqual([]);
  expect(scans).toEqual([]);
});

it('a replica holding a user’s set sees the other’s like, unlike and removal mark, without scanning', async () => {
  const user = randomUUID();
  const [t1, t2] = tracks(2, `held${randomUUID().slice(0, 4)}`) as [string, string];
  const at = new Date('2026-01-02T03:04:05.678Z');
  await a.likes.like(user, t1, at);
  expect(await likedOn(b, user, [t1, t2])).toEqual([t1]);
  await a.likes.like(user, t2, at);
  expect(await likedOn(b, user, [t1, t2])).toEqual([t1, t2]);
  expect((await b.likes.likedAmong(user, [t2])).get(t2)).toEqual(at);
  await a.likes.unlike(user, t1);
  expect(await likedOn(b, user, [t1, t2])).toEqual([t2]);
  // The library removed t2 (event consumed by replica a): b's listing hides it, and shows it again.
  await a.likes.setTrackRemoved(t2, true);
  expect(await b.likes.listLiked(user, { first: 10 })).toMatchObject({ totalCount: 0, likes: [] });
  await a.likes.setTrackRemoved(t2, false);
  expect(await b.likes.listLiked(user, { first: 10 })).toMatchObject({ totalCount: 1, likes: [{ trackId: t2, likedAt: at }] });
  expect(scans.filter((s) => JSON.stringify(s.filter).includes(user))).toEqual([]);
});

it('shows a held set without a read until a newer version is heard of, its age limit passes, or the feed is away', async () => {
  const user = randomUUID();
  const [t1, t2, t3, t4] = tracks(4, `shown${randomUUID().slice(0, 4)}`) as [string, string, string, string];
  // Replica c announces its commits (the test delivers them, as the feed would); d shows sets from
  // memory, its reads of the read models counted on its own connection.
  const announced: number[] = [];
  const c = new MongoLikeRepository(conns[0]!.collection('likes'), conns[0]!.collection(READ_MODELS), a.intents, undefined, undefined, {
    maxAgeMs: 0,
    live: () => false,
    announce: (u, version) => u === user && announced.push(version),
  });
  const dConn = await connect();
  let setReads = 0;
  dConn.getClient().on('commandStarted', (e) => {
    if (e.command.find === READ_MODELS && JSON.stringify(e.command.filter ?? {}).includes(user)) setReads++;
  });
  let live = true;
  let maxAgeMs = 600_000;
  const d = new MongoLikeRepository(
    dConn.collection('likes'),
    dConn.collection(READ_MODELS),
    new ReadModelIntents(dConn.collection(READ_MODEL_INTENTS)),
    undefined,
    undefined,
    {
      get maxAgeMs() {
        return maxAgeMs;
      },
      live: () => live,
      announce: () => undefined,
    },
  );
  const shownOnD = async () => [...(await d.likedAmong(user, [t1, t2, t3, t4])).keys()].sort();

  await c.like(user, t1, new Date());
  expect(await shownOnD()).toEqual([t1]);
  // Held: a page asks the store nothing, and a like elsewhere nobody announced is not seen.
  setReads = 0;
  await c.like(user, t2, new Date());
  expect(await shownOnD()).toEqual([t1]);
  expect(await d.listLiked(user, { first: 10 })).toMatchObject({ totalCount: 1 });
  expect(setReads).toBe(0);
  // Its announcement arrives: the next read probes and shows it.
  d.likedSetHeard(user, announced.at(-1)!);
  expect(await shownOnD()).toEqual([t1, t2]);
  expect(setReads).toBeGreaterThan(0);
  // An announcement of a version d already holds (or an older one) changes nothing: no read.
  setReads = 0;
  d.likedSetHeard(user, announced.at(-1)!);
  d.likedSetHeard(user, 1);
  expect(await shownOnD()).toEqual([t1, t2]);
  expect(setReads).toBe(0);
  // Heard of before d reads at all (the announcement overtook the probe): not shown from an older set.
  await c.like(user, t3, new Date());
  d.likedSetHeard(user, announced.at(-1)!);
  expect(await shownOnD()).toEqual([t1, t2, t3]);
  // A lost announcement: seen once the held set is older than the age limit.
  await c.unlike(user, t1);
  expect(await shownOnD()).toEqual([t1, t2, t3]);
  maxAgeMs = 200;
  await waitFor(async () => (await shownOnD()).join() === [t2, t3].join(), 10_000, 20, 'the unlike seen after the age limit');
  // While the feed is away (not joined), every read probes: a change elsewhere is seen at once.
  maxAgeMs = 600_000;
  live = false;
  await c.like(user, t4, new Date());
  expect(await shownOnD()).toEqual([t2, t3, t4]);
  // What d commits itself it shows at once, without a read.
  live = true;
  await d.unlike(user, t2);
  setReads = 0;
  expect(await shownOnD()).toEqual([t3, t4]);
  expect(setReads).toBe(0);
});

it('answers LikesOfUsers from each track’s likers on every replica without scanning; a call with very many tracks scans once', async () => {
  const [u1, u2, u3] = [randomUUID(), randomUUID(), randomUUID()];
  const [t1, t2, t3] = tracks(3, `lou${randomUUID().slice(0, 4)}`) as [string, string, string];
  const at = new Date('2026-02-03T04:05:06.789Z');
  await a.likes.like(u1, t1, at);
  await a.likes.like(u2, t1, at);
  await b.likes.like(u2, t2, at);
  await a.likes.like(u3, t3, at);
  await b.likes.unlike(u3, t3);
  const pairs = async (r: ReturnType<typeof replica>, users: string[], ids: string[]) =>
    (await r.likes.likesOfUsers(users, ids)).map((l) => `${l.userId}:${l.trackId}:${l.likedAt.getTime()}`).sort();
  const expected = [`${u1}:${t1}:${at.getTime()}`, `${u2}:${t1}:${at.getTime()}`, `${u2}:${t2}:${at.getTime()}`].sort();
  scans.length = 0;
  expect(await pairs(a, [u1, u2, u3, 'nobody'], [t1, t2, t3])).toEqual(expected);
  expect(await pairs(b, [u1, u2, u3], [t1, t2, t3])).toEqual(expected);
  expect(await pairs(b, [u2], [t1, t2, t3])).toEqual([`${u2}:${t1}:${at.getTime()}`, `${u2}:${t2}:${at.getTime()}`].sort());
  expect(scans.filter((x) => x.collection === 'likes')).toEqual([]);
  // Liking again changes nothing, so no new version of the track's likers is committed.
  const versions = async () => conns[0]!.collection(READ_MODELS).countDocuments({ _id: { $regex: `^likers:${t1}#` } } as never);
  const before = await versions();
  await b.likes.like(u1, t1, new Date());
  expect(await versions()).toBe(before);
  // More tracks than a call reads one by one (a scan's big burst): one scan of `likes`, the same answer.
  expect(await pairs(b, [u1, u2, u3], [...tracks(201, `many${randomUUID().slice(0, 4)}`), t1, t2, t3])).toEqual(expected);
  expect(scans.filter((x) => x.collection === 'likes')).toHaveLength(1);
});

it('finishes a read-model update a dead writer left, from its intent', async () => {
  const user = randomUUID();
  const [t] = tracks(1, `dead${randomUUID().slice(0, 4)}`) as [string];
  expect(await likedOn(a, user, [t])).toEqual([]);
  // A writer that recorded its intent and wrote the like, then died before updating the set.
  const intents = conns[0]!.collection(READ_MODEL_INTENTS);
  await intents.insertOne({ _id: randomUUID() as never, model: 'liked', key: user, item: t, at: new Date() });
  await conns[0]!.collection('likes').insertOne({ _id: `${user}:${t}` as never, userId: user, trackId: t, likedAt: new Date(), trackRemoved: false });
  expect(await likedOn(a, user, [t])).toEqual([]);
  expect(await b.intents.sweep(60_000)).toBe(0); // too young to be a dead writer's
  expect(await b.intents.sweep(0)).toBeGreaterThanOrEqual(1);
  expect(await likedOn(a, user, [t])).toEqual([t]);
  expect(await intents.countDocuments({ key: user })).toBe(0);
});

function playlist(ownerId: string, name: string, createdAt: Date): Playlist {
  return { id: randomUUID(), ownerId, name, description: null, visibility: 'PRIVATE', version: 1, items: [], createdAt, updatedAt: createdAt };
}
const names = async (r: ReturnType<typeof replica>, ownerId: string) =>
  (await r.playlists.listByOwner(ownerId, { publicOnly: false, first: 100 })).playlists.map((p) => p.name);

it('keeps an owner’s listing right when two replicas create, rename and delete at once', async () => {
  const owner = randomUUID();
  const base = Date.now();
  const made = Array.from({ length: 10 }, (_, i) => playlist(owner, `p${i}`, new Date(base + i)));
  expect(await names(b, owner)).toEqual([]);
  await Promise.all(made.map((p, i) => (i % 2 ? a : b).playlists.create(p)));
  await Promise.all([
    ...made.slice(0, 3).map((p, i) => (i % 2 ? b : a).playlists.commit({ ...p, version: 2, name: `${p.name}-renamed` }, 'updated')),
    ...made.slice(3, 6).map((p, i) => (i % 2 ? a : b).playlists.commit({ ...p, version: 2 }, 'deleted')),
  ]);
  const expected = ['p9', 'p8', 'p7', 'p6', 'p2-renamed', 'p1-renamed', 'p0-renamed'];
  expect(await names(a, owner)).toEqual(expected);
  expect(await names(b, owner)).toEqual(expected);
  expect(await names(replica(await connect()), owner)).toEqual(expected);
  expect(scans.filter((s) => s.collection === PLAYLIST_HEADS)).toEqual([]);
});

it('backfills a database written before the read models existed, once, then answers without scans', async () => {
  const db = conns[0]!;
  const [heavy, light, none] = [randomUUID(), randomUUID(), randomUUID()];
  const old = new Date('2025-05-05T05:05:05Z');
  const likeDoc = (userId: string, trackId: string, extra = {}) => ({
    _id: `${userId}:${trackId}`,
    userId,
    trackId,
    likedAt: old,
    trackRemoved: false,
    ...extra,
  });
  await db
    .collection('likes')
    .insertMany([
      ...tracks(50, 'old').map((t) => likeDoc(heavy, t)),
      likeDoc(light, 'oldlight1'),
      likeDoc(light, 'oldlight2', { trackRemoved: true }),
      likeDoc(light, 'oldlight3', { _deleted: true }),
    ] as never[]);
  const p = playlist(heavy, 'from before', old);
  await db.collection(PLAYLIST_HEADS).insertOne({
    _id: p.id,
    ownerId: heavy,
    name: p.name,
    description: null,
    visibility: 'PRIVATE',
    version: 1,
    trackCount: 0,
    createdAt: old,
    updatedAt: old,
    deleted: false,
    stateId: null,
  } as never);

  // A replica started on that database: one scan of each source collection, then none.
  const fresh = replica(await connect());
  scans.length = 0;
  await Promise.all([fresh.likes.backfill(), fresh.playlists.backfill()]);
  expect(scans.map((s) => s.collection).sort()).toEqual(['likes', PLAYLIST_HEADS].sort());
  scans.length = 0;
  expect((await fresh.likes.listLiked(heavy, { first: 100 })).totalCount).toBe(50);
  expect(await likedOn(fresh, light, ['oldlight1', 'oldlight2', 'oldlight3'])).toEqual(['oldlight1', 'oldlight2']);
  expect(await fresh.likes.listLiked(light, { first: 10 })).toMatchObject({ totalCount: 1, likes: [{ trackId: 'oldlight1', likedAt: old }] });
  expect(await likedOn(fresh, none, ['old0000'])).toEqual([]);
  expect(await names(fresh, heavy)).toEqual(['from before']);
  // Each track's likers too (LikesOfUsers), from the same one scan.
  expect(
    (await fresh.likes.likesOfUsers([heavy, light], ['old0000', 'oldlight1', 'oldlight3']))
      .map((l) => `${l.userId === heavy ? 'heavy' : 'light'}:${l.trackId}`)
      .sort(),
  ).toEqual(['heavy:old0000', 'light:oldlight1']);
  // The other replicas read what the backfill wrote (no scan of their own either).
  expect((await b.likes.listLiked(heavy, { first: 100 })).totalCount).toBe(50);
  expect(scans).toEqual([]);
  // A second backfill (another start) finds everything built and changes nothing.
  const before = await db.collection(READ_MODELS).countDocuments();
  await replica(await connect()).likes.backfill();
  expect(await db.collection(READ_MODELS).countDocuments()).toBe(before);
});

it('a replica that never backfilled builds a user’s set from the likes once, for every replica', async () => {
  const db = conns[0]!;
  const user = randomUUID();
  await db.collection('likes').insertOne({ _id: `${user}:lazy1`, userId: user, trackId: 'lazy1', likedAt: new Date(), trackRemoved: false } as never);
  const lazy = replica(await connect());
  scans.length = 0;
  expect(await likedOn(lazy, user, ['lazy1'])).toEqual(['lazy1']);
  expect(scans).toHaveLength(1);
  expect(await likedOn(replica(await connect()), user, ['lazy1'])).toEqual(['lazy1']);
  expect(scans).toHaveLength(1);
});

/** The user's annotations as the `annotations` collection says (a scan: the test's own, not recorded). */
async function annotationTruth(userId: string): Promise<string[]> {
  const recorded = scans.length;
  const docs = await conns[0]!.collection('annotations').find({ userId }).toArray();
  scans.length = recorded;
  return docs.map((d) => `${d.kind}:${d.itemId}:${d.rating ?? '-'}:${d.starredAt ? new Date(d.starredAt).toISOString() : '-'}`).sort();
}
const annotationsOn = async (r: ReturnType<typeof replica>, userId: string) =>
  (await r.annotations.listByUser(userId, 1_000))
    .map((x) => `${x.kind}:${x.itemId}:${x.rating ?? '-'}:${x.starredAt ? x.starredAt.toISOString() : '-'}`)
    .sort();

it('keeps a user’s annotations right when two replicas rate, star and clear at once, without scanning', async () => {
  const user = randomUUID();
  const at = new Date('2026-03-04T05:06:07.089Z');
  expect(await annotationsOn(b, user)).toEqual([]);
  const items = Array.from({ length: 12 }, (_, i) => `al_${i}`);
  await Promise.all([
    ...items.map((id, i) => (i % 2 ? a : b).annotations.update(user, 'album', id, (c) => ({ rating: (i % 5) + 1, starredAt: c?.starredAt ?? null }))),
    ...items.slice(0, 6).map((id, i) => (i % 2 ? b : a).annotations.update(user, 'album', id, (c) => ({ rating: c?.rating ?? null, starredAt: at }))),
    a.annotations.update(user, 'artist', 'ar_1', () => ({ rating: null, starredAt: at })),
    b.annotations.update(user, 'track', 'tr_1', () => ({ rating: 3, starredAt: null })),
  ]);
  // Then clears: one item entirely (its document goes), one's rating only.
  await Promise.all([
    a.annotations.update(user, 'album', 'al_0', () => ({ rating: null, starredAt: null })),
    b.annotations.update(user, 'album', 'al_1', (c) => ({ rating: null, starredAt: c?.starredAt ?? null })),
  ]);
  const expected = await annotationTruth(user);
  expect(expected).toHaveLength(13);
  expect(expected).toContain(`album:al_1:-:${at.toISOString()}`);
  expect(await annotationsOn(a, user)).toEqual(expected);
  expect(await annotationsOn(b, user)).toEqual(expected);
  expect(await annotationsOn(replica(await connect()), user)).toEqual(expected);
  expect((await b.annotations.listByUser(user, 5)).length).toBe(5);
  expect(scans.filter((s) => s.collection === 'annotations')).toEqual([]);
});

it('backfills annotations written before the lists existed, once, then answers without scans', async () => {
  const db = conns[0]!;
  const [many, one] = [randomUUID(), randomUUID()];
  const at = new Date('2024-04-04T04:04:04Z');
  await db
    .collection('annotations')
    .insertMany([
      ...Array.from({ length: 30 }, (_, i) => ({ _id: `${many}:track:tr_${i}`, userId: many, kind: 'track', itemId: `tr_${i}`, rating: 4 })),
      { _id: `${one}:artist:ar_9`, userId: one, kind: 'artist', itemId: 'ar_9', starredAt: at },
    ] as never[]);
  const fresh = replica(await connect());
  scans.length = 0;
  await fresh.annotations.backfill();
  expect(scans.map((s) => s.collection)).toEqual(['annotations']);
  scans.length = 0;
  expect(await fresh.annotations.listByUser(many, 1_000)).toHaveLength(30);
  expect(await b.annotations.listByUser(one, 10)).toEqual([{ kind: 'artist', itemId: 'ar_9', rating: null, starredAt: at }]);
  // A write after the backfill builds on it.
  await b.annotations.update(one, 'artist', 'ar_9', (c) => ({ rating: 2, starredAt: c?.starredAt ?? null }));
  expect(await fresh.annotations.listByUser(one, 10)).toEqual([{ kind: 'artist', itemId: 'ar_9', rating: 2, starredAt: at }]);
  expect(scans).toEqual([]);
});

it('finishes an annotation list a dead writer left, from its intent', async () => {
  const user = randomUUID();
  expect(await annotationsOn(a, user)).toEqual([]);
  await conns[0]!
    .collection(READ_MODEL_INTENTS)
    .insertOne({ _id: randomUUID() as never, model: 'annotated', key: user, item: 'album:al_dead', at: new Date() });
  await conns[0]!.collection('annotations').insertOne({ _id: `${user}:album:al_dead`, userId: user, kind: 'album', itemId: 'al_dead', rating: 5 } as never);
  expect(await annotationsOn(a, user)).toEqual([]);
  expect(await b.intents.sweep(0)).toBeGreaterThanOrEqual(1);
  expect(await annotationsOn(a, user)).toEqual(['album:al_dead:5:-']);
});

/** The user's live keys as the `api_keys` collection says, newest first (a scan: the test's own, not recorded). */
async function keyTruth(userId: string): Promise<string[]> {
  const recorded = scans.length;
  const docs = await conns[0]!
    .collection('api_keys')
    .find({ userId, _deleted: { $ne: true } })
    .sort({ createdAt: -1, keyId: -1 })
    .toArray();
  scans.length = recorded;
  return docs.map((d) => String(d.keyId));
}
const keysOn = async (r: ReturnType<typeof replica>, userId: string) => (await r.apiKeys.listByUser(userId)).map((k) => k.id);

it('lists a user’s API keys as the source says after creates, revokes and deletes on two replicas, without scanning', async () => {
  const user = randomUUID();
  const base = Date.now();
  const key = (i: number) => ({ id: `k${i}-${user.slice(0, 8)}`, userId: user, name: `key ${i}`, createdAt: new Date(base + i), lastUsedAt: null });
  expect(await keysOn(b, user)).toEqual([]);
  await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).apiKeys.create(key(i), `digest-${i}-${user}`)));
  await Promise.all([a.apiKeys.revoke(key(1).id), b.apiKeys.revoke(key(2).id), a.apiKeys.revoke(key(6).id)]);
  // The relay deletes a revoked key's document once its event is out.
  await conns[0]!.collection('api_keys').deleteOne({ _id: `digest-2-${user}` as never });
  await b.apiKeys.touch(`digest-7-${user}`, new Date(base + 100));
  const expected = await keyTruth(user);
  expect(expected).toEqual([7, 5, 4, 3, 0].map((i) => key(i).id));
  expect(await keysOn(a, user)).toEqual(expected);
  expect(await keysOn(b, user)).toEqual(expected);
  expect(await keysOn(replica(await connect()), user)).toEqual(expected);
  expect((await a.apiKeys.listByUser(user))[0]).toEqual({ ...key(7), lastUsedAt: new Date(base + 100) });
  expect(scans.filter((s) => s.collection === 'api_keys')).toEqual([]);
});

it('backfills API key lists for keys written before the lists existed', async () => {
  const user = randomUUID();
  const at = new Date('2025-01-01T00:00:00Z');
  await conns[0]!.collection('api_keys').insertMany([
    { _id: `old-d1-${user}`, keyId: `old1-${user}`, userId: user, name: 'old', createdAt: at, lastUsedAt: null },
    { _id: `old-d2-${user}`, keyId: `old2-${user}`, userId: user, name: 'revoked', createdAt: at, lastUsedAt: null, _deleted: true },
  ] as never[]);
  const fresh = replica(await connect());
  scans.length = 0;
  await fresh.apiKeys.backfill();
  expect(scans.map((s) => s.collection)).toEqual(['api_keys']);
  scans.length = 0;
  expect(await keysOn(fresh, user)).toEqual([`old1-${user}`]);
  expect(await keysOn(a, user)).toEqual([`old1-${user}`]);
  // A key created after the backfill joins the backfilled list.
  await a.apiKeys.create({ id: `new-${user}`, userId: user, name: 'new', createdAt: new Date(), lastUsedAt: null }, `new-d-${user}`);
  expect(await keysOn(fresh, user)).toEqual([`new-${user}`, `old1-${user}`]);
  expect(scans).toEqual([]);
});

it('a read-model intent that cannot be finished stays for the next sweep and does not hold up the others', async () => {
  const intents = new ReadModelIntents(a.conn.collection('read_model_intents_sweep'));
  const finished: string[] = [];
  let failing = true;
  intents.register('sweeptest', async (key) => {
    if (key === 'bad' && failing) throw new Error('source unreadable');
    finished.push(key);
  });
  // Two writers that died after recording their intents (their work never finished).
  for (const key of ['bad', 'good']) await intents.around('sweeptest', key, 'item', () => Promise.reject(new Error('writer died'))).catch(() => undefined);
  await expect(intents.sweep(0)).rejects.toThrow('1 of 2 read-model intents not finished (1 were): source unreadable');
  expect(finished).toEqual(['good']);
  failing = false;
  expect(await intents.sweep(0)).toBe(1);
  expect(finished).toEqual(['good', 'bad']);
  expect(await intents.sweep(0)).toBe(0);
});
