// What a conditional write of one document costs as its collection grows (issue 20: nothing that
// grows with history). FerretDB 1.24 finds a document by index only for a filter of exactly
// `{ _id }`; `_id` with any other condition reads the collection. In one run, for collections of
// SIZES documents, it times on random documents:
//   - the anchor: `updateOne({ _id, _deleted: { $ne: true } }, …)`, the write as an unlike sent it;
//   - `updateOneById` (@ytm/mongo) with the same condition: a read by `_id`, the check, a write by `_id`;
//   - `MongoLikeRepository.unlike` in a `likes` collection of that size (the real path);
//   - a track leaving the library: the query that found its likes before (anchor) beside
//     `MongoLikeRepository.setTrackRemoved` (the likes in flight and the track's likers, each like by `_id`).
//
//   npm run build
//   MONGODB_URL=mongodb://127.0.0.1:27017 [SIZES=1000,10000,50000] [WRITES=30] node bench/scale/by-id-writes.mjs
import mongoose from 'mongoose';
import { loadAverage, percentiles, timed } from './timing.mjs';
import { updateOneById } from '../../packages/mongo/dist/index.js';
import { MongoLikeRepository } from '../../subgraphs/resource/dist/persistence/like.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS } from '../../subgraphs/resource/dist/persistence/read-model.js';
import { ReadModelIntents } from '../../subgraphs/resource/dist/persistence/read-model-intents.js';

const url = process.env.MONGODB_URL;
if (!url) throw new Error('MONGODB_URL is required');
const SIZES = (process.env.SIZES ?? '1000,10000,50000').split(',').map(Number);
const WRITES = Number(process.env.WRITES ?? 30);
const log = (msg) => console.log(`[by-id-writes] ${msg}`);
const load = loadAverage;
const stats = percentiles;
// Distinct random indexes in [0, n).
const picks = (n, k) => {
  const chosen = new Set();
  while (chosen.size < Math.min(k, n)) chosen.add(Math.floor(Math.random() * n));
  return [...chosen];
};

const ACTIVE = { _deleted: { $ne: true } };
const dbName = `byidwrites${process.pid}`;
const conn = await mongoose.createConnection(url, { dbName, retryWrites: false }).asPromise();
const likes = conn.collection('likes');
const rows = [];
try {
  log(`sizes ${SIZES.join(', ')}, ${WRITES} writes each (load average ${load()})`);
  let inserted = 0;
  const likeDoc = (i) => {
    const user = `user${String(i % 500).padStart(4, '0')}`;
    const track = `trk${String(i).padStart(7, '0')}`;
    return { _id: `${user}:${track}`, userId: user, trackId: track, likedAt: new Date(1_700_000_000_000 + i * 1000), trackRemoved: false };
  };
  for (const size of SIZES) {
    while (inserted < size) {
      const count = Math.min(2_000, size - inserted);
      await likes.insertMany(Array.from({ length: count }, (_, j) => likeDoc(inserted + j)));
      inserted += count;
    }
    const row = { size };
    // Disjoint sets of the documents this size added (an unliked one is put back in `likes` but stays
    // out of its track's likers, for the rest of the run).
    const added = size - (rows.at(-1)?.size ?? 0);
    const chosen = picks(added, 5 * WRITES).map((i) => size - added + i);
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map((k) => chosen.slice(k * WRITES, (k + 1) * WRITES));
    const anchor = [];
    for (const i of a) anchor.push(await timed(() => likes.updateOne({ _id: likeDoc(i)._id, ...ACTIVE }, { $set: { touchedAt: new Date() } })));
    row.anchor = stats(anchor);
    const byId = [];
    for (const i of b) {
      let r;
      byId.push(await timed(async () => (r = await updateOneById(likes, likeDoc(i)._id, ACTIVE, { $set: { touchedAt: new Date() } }))));
      if (r.matchedCount !== 1) throw new Error(`updateOneById matched ${r.matchedCount} of ${likeDoc(i)._id}`);
    }
    row.byId = stats(byId);
    // The real unlike; the liked sets are backfilled from the collection first (as at a start).
    const repo = new MongoLikeRepository(likes, conn.collection(READ_MODELS), new ReadModelIntents(conn.collection(READ_MODEL_INTENTS)));
    await repo.backfill();
    const unlike = [];
    for (const i of c) {
      const { userId, trackId } = likeDoc(i);
      let done;
      unlike.push(await timed(async () => (done = await repo.unlike(userId, trackId))));
      if (!done) throw new Error(`unlike of ${userId}:${trackId} did nothing`);
      // Put it back as it was (the relay would delete the tombstone; none runs here).
      await likes.replaceOne({ _id: likeDoc(i)._id }, likeDoc(i));
    }
    row.unlike = stats(unlike);
    // A track leaving the library: its likes marked. The anchor is the query that found them before
    // (every active like of the track), alone.
    const query = [];
    for (const i of d) query.push(await timed(() => likes.find({ trackId: likeDoc(i).trackId, ...ACTIVE }).toArray()));
    row.query = stats(query);
    const leave = [];
    for (const i of e) {
      leave.push(await timed(() => repo.setTrackRemoved(likeDoc(i).trackId, true)));
      const marked = await likes.findOne({ _id: likeDoc(i)._id });
      if (marked?.trackRemoved !== true) throw new Error(`the like of ${likeDoc(i).trackId} was not marked`);
    }
    row.leave = stats(leave);
    rows.push(row);
    log(
      `${size} documents: anchor p50 ${row.anchor.p50.toFixed(1)} ms, updateOneById ${row.byId.p50.toFixed(1)} ms, unlike ${row.unlike.p50.toFixed(1)} ms; a track's likes by query ${row.query.p50.toFixed(1)} ms, setTrackRemoved ${row.leave.p50.toFixed(1)} ms (load average ${load()})`,
    );
  }
} finally {
  await conn.dropDatabase();
  await conn.close();
}

const t = (s) => `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} / ${s.max.toFixed(1)} ms`;
console.log('\nA conditional write of one random document (p50 / p95 / max), in a collection of n:\n');
console.log('| n | `updateOne({ _id, …condition })` (anchor) | `updateOneById` | ×faster p50 | `MongoLikeRepository.unlike` |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.size} | ${t(r.anchor)} | ${t(r.byId)} | ×${(r.anchor.p50 / r.byId.p50).toFixed(1)} | ${t(r.unlike)} |`);
console.log('\nA track leaving the library (p50 / p95 / max): the query of its likes alone (anchor) beside marking them (`setTrackRemoved`):\n');
console.log('| n | `find({ trackId, …active })` (anchor) | `setTrackRemoved` | ×faster p50 |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.size} | ${t(r.query)} | ${t(r.leave)} | ×${(r.query.p50 / r.leave.p50).toFixed(1)} |`);
const [first, last] = [rows[0], rows.at(-1)];
console.log(
  `\nGrowth from ${first.size} to ${last.size} documents (p50): anchor ×${(last.anchor.p50 / first.anchor.p50).toFixed(1)}, updateOneById ×${(last.byId.p50 / first.byId.p50).toFixed(1)}, unlike ×${(last.unlike.p50 / first.unlike.p50).toFixed(1)}; the track's likes by query ×${(last.query.p50 / first.query.p50).toFixed(1)}, setTrackRemoved ×${(last.leave.p50 / first.leave.p50).toFixed(1)}`,
);
