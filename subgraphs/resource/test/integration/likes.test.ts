import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOPICS } from '@ytm/events';
import { waitFor } from '@ytm/testing';
import { MongoLikeRepository } from '../../src/persistence/like.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS } from '../../src/persistence/read-model.js';
import { ReadModelIntents } from '../../src/persistence/read-model-intents.js';
import { EventCollector } from './event-collector.js';
import { codeOf, startHarness, type Harness, type TestSession } from './harness.js';

const LIKE = 'mutation($t: ID!) { likeTrack(trackId: $t) { id liked } }';
const UNLIKE = 'mutation($t: ID!) { unlikeTrack(trackId: $t) { id liked } }';
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Track { id liked } } }';
const LIKED =
  'query($id: ID!, $first: Int, $after: String) { user(id: $id) { likedTracks(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id liked } } } } }';

let h: Harness;
let alice: TestSession;
let bob: TestSession;
let admin: TestSession;
const events = new EventCollector();
/** Resource's clock: real time plus an offset a test moves forward instead of waiting. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

beforeAll(async () => {
  h = await startHarness({ overrides: { clock } });
  [alice, bob, admin] = await Promise.all([h.signUp('alice'), h.signUp('bob'), h.signInAdmin()]);
  await events.start();
});
afterAll(async () => {
  await events.stop();
  await h.close();
});

/** Events resource's outbox relay has published so far, once nothing waits in the outbox. */
const publishedWhenDrained = async (): Promise<number> => {
  await waitFor(async () => (await h.resource.relay.backlog()) === 0, 10_000, 20, 'the outbox drained');
  return h.resource.relay.published;
};

/**
 * Another resource instance on the same database: it reads every set from the store (nothing shown
 * from memory) and announces its commits through Kafka, as a replica's feed does.
 */
const anotherReplica = () =>
  new MongoLikeRepository(
    h.resource.conn.collection('likes'),
    h.resource.conn.collection(READ_MODELS),
    new ReadModelIntents(h.resource.conn.collection(READ_MODEL_INTENTS)),
    undefined,
    undefined,
    { maxAgeMs: 0, live: () => false, announce: (userId, version) => void h.announceLikesChange(userId, version) },
  );

const likedOf = async (s: TestSession, ids: string[]) =>
  ((await h.gql(ENTITIES, { r: ids.map((id) => ({ __typename: 'Track', id })) }, s.accessToken)).data?._entities as Array<{ id: string; liked: boolean }>).map(
    (t) => t.liked,
  );

describe('likeTrack / unlikeTrack', () => {
  it('are idempotent: liking again keeps the first time and writes one event; unliking twice is fine', async () => {
    const [t] = h.library.add(1, 'like') as [string];
    const publishedBefore = await publishedWhenDrained();
    expect((await h.gql(LIKE, { t }, alice.accessToken)).data?.likeTrack).toEqual({ id: t, liked: true });
    const likes = h.resource.conn.collection('likes');
    const first = (await likes.findOne({ _id: `${alice.user.id}:${t}` as never }))?.likedAt as Date;
    clock.offsetMs += 1_000; // a second like would carry another time
    // Liking again answers from what it read to see the like is there: the like document alone, as
    // the set this instance holds (since the like) shows it with the document's time.
    const reads: string[] = [];
    h.resource.conn.set('debug', (collection: string, method: string, filter: unknown) => {
      if ((collection === 'likes' || collection === READ_MODELS) && JSON.stringify(filter ?? {}).includes(alice.user.id)) reads.push(`${collection}.${method}`);
    });
    try {
      const again = await h.gql('mutation($t: ID!) { likeTrack(trackId: $t) { id liked likedAt } }', { t }, alice.accessToken);
      expect(again.data?.likeTrack).toEqual({ id: t, liked: true, likedAt: first.toISOString() });
    } finally {
      h.resource.conn.set('debug', false);
    }
    expect(reads).toEqual(['likes.findOne']);
    expect((await likes.findOne({ _id: `${alice.user.id}:${t}` as never }))?.likedAt).toEqual(first);
    expect(await likedOf(alice, [t])).toEqual([true]);
    expect(await likedOf(bob, [t])).toEqual([false]);

    expect((await h.gql(UNLIKE, { t }, alice.accessToken)).data?.unlikeTrack).toEqual({ id: t, liked: false });
    expect((await h.gql(UNLIKE, { t }, alice.accessToken)).data?.unlikeTrack).toEqual({ id: t, liked: false });
    expect(await likedOf(alice, [t])).toEqual([false]);

    const liked = await events.waitFor(t, 'resource.track.liked');
    expect(liked.data).toEqual({ __typename: 'Track', id: t, userId: alice.user.id, likedAt: first.toISOString() });
    expect((await events.waitFor(t, 'resource.track.unliked')).data).toEqual({ __typename: 'Track', id: t, userId: alice.user.id });
    // Two likes and two unlikes wrote one event each way: the relay published exactly two.
    expect((await publishedWhenDrained()) - publishedBefore).toBe(2);
    expect(events.of(t).map((e) => e.type)).toEqual(['resource.track.liked', 'resource.track.unliked']);
    // The relay deletes the unliked document once its event is out.
    await waitFor(async () => (await likes.countDocuments({ _id: `${alice.user.id}:${t}` as never })) === 0, 10_000, 50, 'like document deleted');
  });

  it('likes again after an unlike, with a new time and a new event', async () => {
    const [t] = h.library.add(1, 'relike') as [string];
    await h.gql(LIKE, { t }, alice.accessToken);
    await h.gql(UNLIKE, { t }, alice.accessToken);
    expect((await h.gql(LIKE, { t }, alice.accessToken)).data?.likeTrack.liked).toBe(true);
    expect(await likedOf(alice, [t])).toEqual([true]);
    await waitFor(() => events.of(t).length === 3, 20_000, 100, 'three events');
    expect(events.of(t).map((e) => e.type)).toEqual(['resource.track.liked', 'resource.track.unliked', 'resource.track.liked']);
  });

  it('keeps one like for ten parallel likes of the same track', async () => {
    const [t] = h.library.add(1, 'parallel') as [string];
    const publishedBefore = await publishedWhenDrained();
    const results = await Promise.all(Array.from({ length: 10 }, () => h.gql(LIKE, { t }, bob.accessToken)));
    expect(results.every((r) => r.data?.likeTrack.liked === true)).toBe(true);
    expect(await h.resource.conn.collection('likes').countDocuments({ userId: bob.user.id, trackId: t } as never)).toBe(1);
    await events.waitFor(t, 'resource.track.liked');
    expect((await publishedWhenDrained()) - publishedBefore).toBe(1);
    expect(events.of(t)).toHaveLength(1);
  });

  it('liking again and unliking what is not liked write nothing and ask nothing of the library', async () => {
    const [t, u] = h.library.add(2, 'noop') as [string, string];
    expect((await h.gql(LIKE, { t }, alice.accessToken)).data?.likeTrack).toEqual({ id: t, liked: true });
    const db = h.resource.conn;
    const written = async () => [
      await db.collection(READ_MODELS).countDocuments({ _id: { $regex: `^liked:${alice.user.id}` } } as never),
      await db.collection(READ_MODEL_INTENTS).countDocuments(),
      (await db.collection('likes').findOne({ _id: `${alice.user.id}:${t}` as never }))?.likedAt,
    ];
    const before = await written();
    h.library.mode = 'unavailable';
    try {
      // Already liked: answered without the library (a new like needs it: SERVICE_UNAVAILABLE).
      expect((await h.gql(LIKE, { t }, alice.accessToken)).data?.likeTrack).toEqual({ id: t, liked: true });
      expect(codeOf(await h.gql(LIKE, { t: u }, alice.accessToken))).toBe('SERVICE_UNAVAILABLE');
    } finally {
      h.library.mode = 'ok';
    }
    expect((await h.gql(UNLIKE, { t: u }, alice.accessToken)).data?.unlikeTrack).toEqual({ id: u, liked: false });
    expect(await written()).toEqual(before);
  });

  it('likes through the write when the liked set does not show the like yet (its writer stopped before updating it)', async () => {
    const [t] = h.library.add(1, 'pending') as [string];
    const likedAt = new Date(Date.now() - 60_000);
    // The like document alone, as a writer that stopped before updating carol's set leaves it.
    const carol = await h.signUp('carol');
    await h.resource.conn
      .collection('likes')
      .insertOne({ _id: `${carol.user.id}:${t}`, userId: carol.user.id, trackId: t, likedAt, trackRemoved: false } as never);
    expect(await likedOf(carol, [t])).toEqual([false]);
    expect((await h.gql(LIKE, { t }, carol.accessToken)).data?.likeTrack).toEqual({ id: t, liked: true });
    expect(await likedOf(carol, [t])).toEqual([true]);
    // The first like's time stays.
    const listed = await h.gql(LIKED, { id: carol.user.id, first: 5 }, carol.accessToken);
    expect(listed.data?.user.likedTracks.totalCount).toBe(1);
    expect((await h.resource.conn.collection('likes').findOne({ _id: `${carol.user.id}:${t}` as never }))?.likedAt).toEqual(likedAt);
  });

  it('answers an unknown track with NOT_FOUND, a malformed ID with BAD_USER_INPUT, library down with a retryable error', async () => {
    // Nothing of it is written: not a like, not a version of alice's liked set, not an intent.
    const written = async () => {
      const db = h.resource.conn;
      const sets = await db.collection(READ_MODELS).countDocuments({ _id: { $regex: `^liked:${alice.user.id}` } } as never);
      return [sets, await db.collection('likes').countDocuments({ userId: alice.user.id } as never), await db.collection(READ_MODEL_INTENTS).countDocuments()];
    };
    const before = await written();
    expect(codeOf(await h.gql(LIKE, { t: 'trk_does_not_exist' }, alice.accessToken))).toBe('NOT_FOUND');
    for (const t of ['', 'has space', 'x'.repeat(129)]) {
      expect(codeOf(await h.gql(LIKE, { t }, alice.accessToken))).toBe('BAD_USER_INPUT');
      expect(codeOf(await h.gql(UNLIKE, { t }, alice.accessToken))).toBe('BAD_USER_INPUT');
    }
    const [t] = h.library.add(1, 'down') as [string];
    h.library.mode = 'unavailable';
    try {
      const r = await h.gql(LIKE, { t }, alice.accessToken);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 5 });
    } finally {
      h.library.mode = 'ok';
    }
    expect(await likedOf(alice, [t])).toEqual([false]);
    expect(await written()).toEqual(before);
  });

  it('needs a signed-in user', async () => {
    const [t] = h.library.add(1, 'anon') as [string];
    expect(codeOf(await h.gql(LIKE, { t }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(UNLIKE, { t }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(ENTITIES, { r: [{ __typename: 'Track', id: t }] }))).toBe('UNAUTHENTICATED');
  });
});

describe('Track.liked', () => {
  it('is batched: 100 tracks cost one query on the likes collection at most (none while the liked set is held)', async () => {
    const ids = h.library.add(100, 'batch');
    for (const t of ids.slice(0, 30)) await h.gql(LIKE, { t }, alice.accessToken);
    await waitFor(async () => (await h.resource.relay.backlog()) === 0, 10_000, 50, 'outbox drained');
    const queries: string[] = [];
    h.resource.conn.set('debug', (collection: string, method: string, filter: unknown) => {
      // The outbox relay polls every collection on its own; only the resolvers' reads count here.
      if (collection === 'likes' && !JSON.stringify(filter ?? {}).includes('_outbox')) queries.push(method);
    });
    let liked: boolean[];
    try {
      liked = await likedOf(alice, ids);
    } finally {
      h.resource.conn.set('debug', false);
    }
    expect(liked).toEqual(ids.map((_, i) => i < 30));
    // The likes' own answers (`likeTrack { liked }`) already read the set after the last change.
    expect(queries.length).toBeLessThanOrEqual(1);
    expect(queries.filter((q) => q !== 'find')).toEqual([]);
  });

  it("is shown from the set this instance holds; another replica's like once its announcement arrives through Kafka", async () => {
    const ids = h.library.add(2, 'shown');
    const erin = await h.signUp('erin');
    const heard = new EventCollector();
    await heard.start(TOPICS.userChanges);
    try {
      await h.gql(LIKE, { t: ids[0] }, erin.accessToken);
      // The commit of erin's set is announced to the other replicas, with its version.
      const first = await heard.waitFor(erin.user.id, 'resource.user.likes-changed');
      const firstVersion = (first.data as { version: number }).version;
      expect(firstVersion).toBeGreaterThan(0);
      // A page of Track.liked asks the store nothing: the set this instance committed is shown.
      const reads: string[] = [];
      h.resource.conn.set('debug', (collection: string, method: string, filter: unknown) => {
        if ((collection === 'likes' || collection === READ_MODELS) && JSON.stringify(filter ?? {}).includes(erin.user.id))
          reads.push(`${collection}.${method}`);
      });
      try {
        expect(await likedOf(erin, ids)).toEqual([true, false]);
      } finally {
        h.resource.conn.set('debug', false);
      }
      expect(reads).toEqual([]);
      // A replica whose announcement is not sent: its like is not seen while this instance holds the set...
      const versions: number[] = [];
      const silent = new MongoLikeRepository(
        h.resource.conn.collection('likes'),
        h.resource.conn.collection(READ_MODELS),
        new ReadModelIntents(h.resource.conn.collection(READ_MODEL_INTENTS)),
        undefined,
        undefined,
        { maxAgeMs: 0, live: () => false, announce: (_, version) => versions.push(version) },
      );
      await silent.like(erin.user.id, ids[1]!, new Date());
      expect(versions).toEqual([firstVersion + 1]);
      expect(await likedOf(erin, ids)).toEqual([true, false]);
      // ...and is once its announcement comes through Kafka.
      await h.announceLikesChange(erin.user.id, versions[0]!);
      await waitFor(async () => (await likedOf(erin, ids)).join() === [true, true].join(), 10_000, 50, 'the announced like shown');
    } finally {
      await heard.stop();
    }
  });

  it('answers liking again from the like document and its own set only while that set shows the same like', async () => {
    const [t] = h.library.add(1, 'held') as [string];
    const dave = await h.signUp('dave');
    // Another resource instance on the same database, holding dave's set once it has read it.
    const replica = anotherReplica();
    await h.gql(LIKE, { t }, dave.accessToken);
    const likes = h.resource.conn.collection('likes');
    const timeOf = async () => ((await likes.findOne({ _id: `${dave.user.id}:${t}` as never }))?.likedAt as Date).getTime();
    const first = await timeOf();
    expect((await replica.likedAt(dave.user.id, t))?.getTime()).toBe(first);

    // Unliked and liked again through the first instance (a new time): the replica's set still
    // shows the first like, so it reads the newest set rather than answer from its own.
    await h.gql(UNLIKE, { t }, dave.accessToken);
    clock.offsetMs += 1_000;
    await h.gql(LIKE, { t }, dave.accessToken);
    const second = await timeOf();
    expect(second).toBeGreaterThan(first);
    const reads: string[] = [];
    h.resource.conn.set('debug', (collection: string, method: string, filter: unknown) => {
      if ((collection === 'likes' || collection === READ_MODELS) && JSON.stringify(filter ?? {}).includes(dave.user.id)) reads.push(`${collection}.${method}`);
    });
    try {
      expect((await replica.likedAt(dave.user.id, t))?.getTime()).toBe(second);
      expect(reads).toContain(`${READ_MODELS}.findOne`);
      // From then on it holds the newest set: the document alone.
      reads.length = 0;
      expect((await replica.likedAt(dave.user.id, t))?.getTime()).toBe(second);
      expect(reads).toEqual(['likes.findOne']);
    } finally {
      h.resource.conn.set('debug', false);
    }

    // Unliked through the first instance: the replica's set still shows the like, the document does not.
    await h.gql(UNLIKE, { t }, dave.accessToken);
    expect(await replica.likedAt(dave.user.id, t)).toBeNull();
    // So liking again on the replica writes the like (a new time) and both instances see it (the
    // first once the replica's announcement of dave's new set arrives).
    clock.offsetMs += 1_000;
    const third = await replica.like(dave.user.id, t, clock.now());
    expect(third.getTime()).toBeGreaterThan(second);
    await waitFor(async () => (await likedOf(dave, [t]))[0] === true, 10_000, 50, "the replica's like seen by the first instance");
  });

  it("never reads the likes collection for a user's set, and sees every change on every replica", async () => {
    const ids = h.library.add(3, 'replica');
    await h.gql(LIKE, { t: ids[0] }, bob.accessToken);
    // Another resource instance on the same database, with a liked set of its own.
    const replica = anotherReplica();
    const likedOnReplica = async () => [...(await replica.likedAmong(bob.user.id, ids)).keys()];
    const reads: string[] = [];
    // Reads of bob's likes (the outbox relay reads and deletes documents on its own).
    h.resource.conn.set('debug', (collection: string, method: string, filter: unknown) => {
      if (collection === 'likes' && method === 'find' && JSON.stringify(filter ?? {}).includes(`"userId":"${bob.user.id}"`)) reads.push(method);
    });
    try {
      expect(await likedOnReplica()).toEqual([ids[0]]);
      // Unchanged: answered from the replica's memory after one read by `_id` (no newer version).
      expect(await likedOnReplica()).toEqual([ids[0]]);
      // The first instance holds bob's set since its answer to the like (`likeTrack { liked }`).
      expect(await likedOf(bob, ids)).toEqual([true, false, false]);
      // A like and an unlike through the first instance are seen by the replica at once (it reads its sets from the store).
      await h.gql(LIKE, { t: ids[2] }, bob.accessToken);
      expect(await likedOnReplica()).toEqual([ids[0], ids[2]]);
      await h.gql(UNLIKE, { t: ids[0] }, bob.accessToken);
      expect(await likedOnReplica()).toEqual([ids[2]]);
      // And the other way round: a like written by the replica, seen by the first instance once
      // the replica's announcement of bob's new set arrives.
      await replica.like(bob.user.id, ids[1]!, new Date());
      await waitFor(async () => (await likedOf(bob, ids)).join() === [false, true, true].join(), 10_000, 50, "the replica's like seen by the first instance");
      // bob's set is a read model read by `_id`: `likes` was never queried by user.
      expect(reads).toEqual([]);
    } finally {
      h.resource.conn.set('debug', false);
    }
  });
});

describe('User.likedTracks', () => {
  it('lists newest like first with cursors, self only', async () => {
    const carol = await h.signUp('carol');
    const ids = h.library.add(5, 'list');
    for (const t of ids) {
      await h.gql(LIKE, { t }, carol.accessToken);
      await new Promise((r) => setTimeout(r, 5));
    }
    await h.gql(UNLIKE, { t: ids[1] }, carol.accessToken);
    // Pages come from carol's liked set: at most one read of her likes (the set's load), never a
    // query, sort and count over `likes` per page (FerretDB reads every user's likes for that).
    const reads: string[] = [];
    h.resource.conn.set('debug', (collection: string, method: string, filter: unknown) => {
      if (collection === 'likes' && JSON.stringify(filter ?? {}).includes(`"userId":"${carol.user.id}"`)) reads.push(method);
    });
    const p1 = (await h.gql(LIKED, { id: carol.user.id, first: 2 }, carol.accessToken)).data?.user.likedTracks;
    expect(p1.totalCount).toBe(4);
    expect(p1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[4], ids[3]]);
    expect(p1.edges.every((e: { node: { liked: boolean } }) => e.node.liked)).toBe(true);
    const p2 = (await h.gql(LIKED, { id: carol.user.id, first: 10, after: p1.pageInfo.endCursor }, carol.accessToken)).data?.user.likedTracks;
    expect(p2.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([ids[2], ids[0]]);
    expect(p2.pageInfo.hasNextPage).toBe(false);
    h.resource.conn.set('debug', false);
    expect(reads.length).toBeLessThanOrEqual(1);

    expect(codeOf(await h.gql(LIKED, { id: carol.user.id }, bob.accessToken))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(LIKED, { id: carol.user.id }, admin.accessToken))).toBe('FORBIDDEN');
    for (const first of [0, 101]) expect(codeOf(await h.gql(LIKED, { id: carol.user.id, first }, carol.accessToken))).toBe('BAD_USER_INPUT');
    expect(codeOf(await h.gql(LIKED, { id: carol.user.id, after: '!!' }, carol.accessToken))).toBe('BAD_USER_INPUT');
  });

  it('leaves out tracks that left the library, and shows them again when they come back', async () => {
    const dave = await h.signUp('dave');
    const [stay, leave] = h.library.add(2, 'gone') as [string, string];
    await h.gql(LIKE, { t: stay }, dave.accessToken);
    await h.gql(LIKE, { t: leave }, dave.accessToken);
    const ids = async () =>
      ((await h.gql(LIKED, { id: dave.user.id }, dave.accessToken)).data?.user.likedTracks.edges as Array<{ node: { id: string } }>).map((e) => e.node.id);
    // Queries of `likes` by track (on FerretDB each reads every like stored): none, the likes are
    // found through the track's likers and read by `_id`.
    const byTrack: string[] = [];
    h.resource.conn.set('debug', (collection: string, method: string, filter: unknown) => {
      if (collection === 'likes' && JSON.stringify(filter ?? {}).includes(`"trackId":"${leave}"`)) byTrack.push(method);
    });
    try {
      // Every track a scan adds is announced: one never removed leaves the likes alone (events of
      // one track are handled in order, so the removal below is handled after it).
      await h.publishLibraryEvent('library.track.added', leave);
      await h.publishLibraryEvent('library.track.removed', leave);
      await waitFor(async () => (await ids()).length === 1, 20_000, 100, 'removed track hidden');
      expect(await ids()).toEqual([stay]);
      await h.publishLibraryEvent('library.track.added', leave);
      await waitFor(async () => (await ids()).length === 2, 20_000, 100, 'track back');
      // Back: a later "added" finds no mark and leaves the likes alone.
      await h.publishLibraryEvent('library.track.added', leave);
      await h.publishLibraryEvent('library.track.removed', leave);
      await waitFor(async () => (await ids()).length === 1, 20_000, 100, 'removed again');
    } finally {
      h.resource.conn.set('debug', false);
    }
    expect(byTrack).toEqual([]);
    expect(await ids()).toEqual([stay]);
  });

  it("marks a like still in flight when its track leaves (its intent names it before the track's likers do)", async () => {
    const erin = await h.signUp('erin');
    const [track] = h.library.add(1, 'inflight') as [string];
    // A like whose writer stopped after writing the document and before the liked set and the
    // track's likers took it: only its intent says so.
    const conn = h.resource.conn;
    await conn.collection('read_model_intents').insertOne({ _id: `intent-${track}` as never, model: 'liked', key: erin.user.id, item: track, at: new Date() });
    await conn
      .collection('likes')
      .insertOne({ _id: `${erin.user.id}:${track}` as never, userId: erin.user.id, trackId: track, likedAt: new Date(), trackRemoved: false });
    await h.publishLibraryEvent('library.track.removed', track);
    await waitFor(
      async () => (await conn.collection('likes').findOne({ _id: `${erin.user.id}:${track}` as never }))?.trackRemoved === true,
      20_000,
      100,
      'the like in flight marked',
    );
    await conn.collection('read_model_intents').deleteOne({ _id: `intent-${track}` as never });
  });
});
