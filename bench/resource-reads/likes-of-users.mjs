// Probe (likesOfUsers): the router's read of `Track.liked` for every subscriber of an event, at the
// repository (the gRPC method's body), with LIKES likes stored: the query of `likes` it used to be
// beside the users' liked sets read by `_id` (MongoLikeRepository.likesOfUsers). See README.md.
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import mongoose from 'mongoose';
import { MongoLikeRepository } from '../../subgraphs/resource/dist/persistence/like.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS } from '../../subgraphs/resource/dist/persistence/read-model.js';
import { ReadModelIntents } from '../../subgraphs/resource/dist/persistence/read-model-intents.js';

const LIKES = Number(process.env.LIKES ?? 50_000);
const LIKES_PER_USER = Number(process.env.LIKES_PER_USER ?? 10);
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1_000);
const TRACKS = Number(process.env.TRACKS ?? 20);
const SAMPLES = Number(process.env.SAMPLES ?? 20);
const mongodbUrl = process.env.MONGODB_URL;
if (!mongodbUrl) throw new Error('set MONGODB_URL (npm run infra -- up prints it)');

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const t0 = Date.now();
const log = (m) => console.log(`[bench/likes-of-users ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const pct = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const summary = (xs) => `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms`;

// The pool of resource's connection (@ytm/mongo connectMongo: 20).
const conn = await mongoose.createConnection(mongodbUrl, { dbName: `benchlikes${randomUUID().slice(0, 8)}`, retryWrites: false, maxPoolSize: 20 }).asPromise();
const replica = () =>
  new MongoLikeRepository(conn.collection('likes'), conn.collection(READ_MODELS), new ReadModelIntents(conn.collection(READ_MODEL_INTENTS)));
try {
  // LIKES likes of LIKES / LIKES_PER_USER users over 1,000 tracks (each user one of the first 50), written as a version without liked sets wrote them.
  const users = Array.from({ length: Math.ceil(LIKES / LIKES_PER_USER) }, (_, i) => `user${String(i).padStart(6, '0')}`);
  const track = (i) => `track${String(i % 1_000).padStart(4, '0')}`;
  const likedAt = new Date();
  for (let u = 0; u < users.length; u += 250) {
    const docs = users.slice(u, u + 250).flatMap((userId, i) =>
      Array.from({ length: LIKES_PER_USER }, (_, j) => {
        const trackId = track(((u + i) % 50) + j * 50); // one of track0000 … track0049, and others
        return { _id: `${userId}:${trackId}`, userId, trackId, likedAt, trackRemoved: false };
      }),
    );
    await conn
      .collection('likes')
      .insertMany(docs, { ordered: false })
      .catch(() => undefined);
  }
  log(`${await conn.collection('likes').estimatedDocumentCount()} likes of ${users.length} users stored (load ${load()})`);
  const warm = replica();
  await warm.init();
  let started = Date.now();
  await warm.backfill();
  log(`liked sets built (backfill) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Subscribers spread over the users; the event's tracks, some liked by some of them.
  const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => users[Math.floor((i * users.length) / SUBSCRIBERS)]);
  const tracks = Array.from({ length: TRACKS }, (_, i) => track(i));
  const oldQuery = () =>
    conn
      .collection('likes')
      .find({ trackId: { $in: tracks }, userId: { $in: subscribers }, _deleted: { $ne: true } }, { projection: { _id: 0, userId: 1, trackId: 1, likedAt: 1 } })
      .toArray();
  const key = (likes) =>
    likes
      .map((l) => `${l.userId}:${l.trackId}`)
      .sort()
      .join();
  const expected = key(await oldQuery());
  // `warm` holds every subscriber's set, from requests of their own (as a replica serving them would).
  for (const u of subscribers) await warm.likedAmong(u, tracks);
  // `cold` holds 2,000 other users (its whole room, from their requests): the batch takes none of the subscribers in.
  const cold = replica();
  await cold.backfill(); // nothing left to build: one scan, as at every start
  const isSubscriber = new Set(subscribers);
  for (const u of users.filter((u) => !isSubscriber.has(u)).slice(0, 2_000)) await cold.likedAmong(u, tracks);
  if (key(await cold.likesOfUsers(subscribers, tracks)) !== expected || key(await warm.likesOfUsers(subscribers, tracks)) !== expected)
    throw new Error('likesOfUsers disagrees with the query of `likes`');
  log(`${SUBSCRIBERS} users × ${TRACKS} tracks: ${expected.split(',').length} likes; ${SAMPLES} samples each (load ${load()})`);

  for (const [name, call] of [
    ['old: one find on `likes` (trackId $in, userId $in)', oldQuery],
    ['new: liked sets, none held (room full of 2,000 other users)', () => cold.likesOfUsers(subscribers, tracks)],
    ['new: liked sets, all held (checked by one probe each)', () => warm.likesOfUsers(subscribers, tracks)],
  ]) {
    const ms = [];
    for (let i = 0; i < SAMPLES; i++) {
      started = performance.now();
      await call();
      ms.push(performance.now() - started);
    }
    log(`${name}: ${summary(ms)} (load ${load()})`);
  }
} finally {
  await conn.db?.dropDatabase().catch(() => undefined);
  await conn.close();
}
