// Direct probe of resource's liked sets at full size (issue 20): writes USERS users' likes straight
// into `likes` as a version without read models did (50,000 at the default 10,000 users), then
// times, in one run: the old per-user load (a find by `userId`: FerretDB reads every like) as the
// anchor; the start-time backfill; and `likedAmong` (what `Track.liked` asks) on a replica that
// holds nothing yet and on one that holds the set, plus a like seen by the other replica; and
// `likesOfUsers` for 1,000 subscribers (the router's `liked` for a burst of library events).
//
//   npm run build
//   MONGODB_URL=mongodb://127.0.0.1:27017 [USERS=10000] [SAMPLES=40] node bench/scale/likes-probe.mjs
import mongoose from 'mongoose';
import { loadAverage, percentiles, timed } from './timing.mjs';
import { MongoLikeRepository } from '../../subgraphs/resource/dist/persistence/like.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS } from '../../subgraphs/resource/dist/persistence/read-model.js';
import { ReadModelIntents } from '../../subgraphs/resource/dist/persistence/read-model-intents.js';

const url = process.env.MONGODB_URL;
if (!url) throw new Error('MONGODB_URL is required');
const USERS = Number(process.env.USERS ?? 10_000);
const SAMPLES = Number(process.env.SAMPLES ?? 40);
const load = loadAverage;
const log = (msg) => console.log(`[likes-probe] ${msg}`);
const userId = (u) => `user-${String(u).padStart(6, '0')}`;
const isHeavy = (u) => u % 25 === 0;
const trackId = (i) => `trk${String(i).padStart(6, '0')}`;
const stats = (ms) => {
  const { p50, p95 } = percentiles(ms);
  return `p50 ${p50.toFixed(1)} / p95 ${p95.toFixed(1)} ms (${ms.length})`;
};

const dbName = `likesprobe${process.pid}`;
const conn = await mongoose.createConnection(url, { dbName, retryWrites: false }).asPromise();
const replica = (c) => new MongoLikeRepository(c.collection('likes'), c.collection(READ_MODELS), new ReadModelIntents(c.collection(READ_MODEL_INTENTS)));
try {
  log(`seeding ${USERS} users' likes (load average ${load()})`);
  let batch = [];
  let likes = 0;
  const flush = async () => {
    if (batch.length) await conn.collection('likes').insertMany(batch, { ordered: false });
    likes += batch.length;
    batch = [];
  };
  for (let u = 0; u < USERS; u++) {
    const n = isHeavy(u) ? 100 : u % 25 === 12 ? 2 : 1;
    for (let i = 0; i < n; i++) {
      const t = trackId((u * 7919 + i * 104_729) % 100_000);
      batch.push({ _id: `${userId(u)}:${t}`, userId: userId(u), trackId: t, likedAt: new Date(Date.now() - (u + i) * 1000), trackRemoved: false });
    }
    if (batch.length >= 2_000) await flush();
  }
  await flush();
  const heavy = Array.from({ length: SAMPLES }, (_, i) => Math.floor(((i + 0.5) * USERS) / SAMPLES / 25) * 25);
  const asked = (u) => Array.from({ length: 50 }, (_, i) => trackId((u * 7919 + i * 104_729) % 100_000));
  log(`${likes} likes seeded; load average ${load()}`);

  const anchor = [];
  for (const u of heavy.slice(0, 5))
    anchor.push(
      await timed(() =>
        conn
          .collection('likes')
          .find({ userId: userId(u), _deleted: { $ne: true } })
          .toArray(),
      ),
    );
  log(`anchor, the old load: find likes by userId: ${stats(anchor)}`);

  const a = replica(conn);
  const backfill = await timed(() => a.backfill());
  log(`backfill (one scan of likes, a first version per user): ${(backfill / 1000).toFixed(1)} s; load average ${load()}`);

  const other = await mongoose.createConnection(url, { dbName, retryWrites: false }).asPromise();
  try {
    // Another replica (it finds every set by `_id`; its own backfill would only repeat the scan).
    const b = replica(other);
    const cold = [];
    const warm = [];
    for (const u of heavy) cold.push(await timed(() => b.likedAmong(userId(u), asked(u))));
    for (const u of heavy) warm.push(await timed(() => b.likedAmong(userId(u), asked(u))));
    log(`likedAmong(50 tracks), a replica holding nothing: ${stats(cold)}`);
    log(`likedAmong(50 tracks), the set held: ${stats(warm)}`);
    const u = userId(heavy[0]);
    const likeMs = await timed(() => a.like(u, 'trk-probe', new Date()));
    const seen = await b.likedAmong(u, ['trk-probe']);
    log(`a like on one replica: ${likeMs.toFixed(1)} ms; seen on the other at once: ${seen.has('trk-probe')}; load average ${load()}`);
    // LikesOfUsers (the router's `Track.liked` for a burst of libraryChanged events, every
    // subscriber at once): 1,000 users and the burst's tracks, on the replica that backfilled (as
    // every replica does at start): each track's likers by `_id`, first not held, then held; and a
    // call over more tracks than are read one by one, which scans `likes` once (the anchor).
    const subscribers = Array.from({ length: Math.min(1_000, USERS) }, (_, i) => userId(i));
    for (const tracks of [1, 20, 201]) {
      const cold = [];
      const warm = [];
      for (let i = 0; i < 5; i++) {
        const burst = Array.from({ length: tracks }, (_, k) => trackId((i * 7919 + k * 104_729) % 100_000));
        cold.push(await timed(() => a.likesOfUsers(subscribers, burst)));
        warm.push(await timed(() => a.likesOfUsers(subscribers, burst)));
      }
      const what = `likesOfUsers(1,000 users, ${tracks} track${tracks === 1 ? '' : 's'}) at ${likes} likes`;
      log(`${what}, not held: ${stats(cold)}; held: ${stats(warm)}; load average ${load()}`);
    }
  } finally {
    await other.close();
  }
} finally {
  await conn.db.dropDatabase();
  await conn.close();
}
