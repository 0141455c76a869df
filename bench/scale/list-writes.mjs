// What a like, star or rating costs as a user's list grows (issue 20: nothing that grows with
// history): resource's per-user lists (liked tracks, a track's likers, annotations) are read models
// whose versions are stored as the elements they changed, with a snapshot every √n changes
// (ReadModel's `listKey`). In one run, for lists of SIZES elements, beside the anchor — the same
// model storing every version whole, as every list did before — it times:
//   - a change of one element (what a like commits), p50 / p95 / max of COMMITS changes;
//   - a replica that holds nothing reading the list (the newest version, and its snapshot);
//   - MongoLikeRepository.like for a user with that many likes (the real path, list layout).
//
//   npm run build
//   MONGODB_URL=mongodb://127.0.0.1:27017 [SIZES=10,1000,5000,20000] [COMMITS=60] node bench/scale/list-writes.mjs
import mongoose from 'mongoose';
import { loadAverage, percentiles, timed } from './timing.mjs';
import { MongoLikeRepository } from '../../subgraphs/resource/dist/persistence/like.repository.js';
import { READ_MODEL_INTENTS, READ_MODELS, ReadModel } from '../../subgraphs/resource/dist/persistence/read-model.js';
import { ReadModelIntents } from '../../subgraphs/resource/dist/persistence/read-model-intents.js';

const url = process.env.MONGODB_URL;
if (!url) throw new Error('MONGODB_URL is required');
const SIZES = (process.env.SIZES ?? '10,1000,5000,20000').split(',').map(Number);
const COMMITS = Number(process.env.COMMITS ?? 60);
const log = (msg) => console.log(`[list-writes] ${msg}`);
const load = loadAverage;
const stats = percentiles;
const fmt = (x) => `${x.toFixed(1)} ms`;

const dbName = `listwrites${process.pid}`;
const conn = await mongoose.createConnection(url, { dbName, retryWrites: false }).asPromise();
const docs = conn.collection(READ_MODELS);
const source = { all: async () => new Map(), one: async () => [], empty: () => [] };
// An element as a user's liked set holds it.
const entry = (i) => ({ t: `trk${String(i).padStart(6, '0')}`, at: new Date(1_700_000_000_000 + i * 1000), removed: false });
const put = (e) => (base) => [...base.filter((x) => x.t !== e.t), e];

const rows = [];
try {
  log(`sizes ${SIZES.join(', ')}, ${COMMITS} changes each (load average ${load()})`);
  for (const size of SIZES) {
    const row = { size };
    for (const layout of ['whole', 'list']) {
      const options = layout === 'list' ? { listKey: (e) => e.t } : {};
      const writer = new ReadModel(docs, `${layout}${size}`, source, options);
      await writer.backfill();
      const key = 'user';
      await writer.update(key, () => Array.from({ length: size }, (_, i) => entry(i)));
      const ms = [];
      for (let c = 0; c < COMMITS; c++) ms.push(await timed(() => writer.update(key, put(entry(size + c)))));
      row[layout] = stats(ms);
      // A replica that holds nothing: the newest version (and, in the list layout, its snapshot).
      const cold = [];
      for (let r = 0; r < 3; r++) {
        const reader = new ReadModel(docs, `${layout}${size}`, source, options);
        await reader.backfill();
        let got;
        cold.push(await timed(async () => (got = await reader.read(key))));
        if (got.length !== size + COMMITS) throw new Error(`${layout} ${size}: read ${got.length} elements, expected ${size + COMMITS}`);
      }
      row[`${layout}Cold`] = stats(cold).p50;
    }
    // The real like path (list layout) for a user with `size` likes.
    const userId = `user-${size}`;
    const likes = conn.collection('likes');
    for (let i = 0; i < size; i += 2_000) {
      const batch = [];
      for (let j = i; j < Math.min(size, i + 2_000); j++) {
        const t = entry(j).t;
        batch.push({ _id: `${userId}:${t}`, userId, trackId: t, likedAt: entry(j).at, trackRemoved: false });
      }
      await likes.insertMany(batch);
    }
    const repo = new MongoLikeRepository(likes, docs, new ReadModelIntents(conn.collection(READ_MODEL_INTENTS)));
    await repo.backfill();
    if ((await repo.likedAmong(userId, [entry(0).t])).size !== 1) throw new Error('liked set not built');
    const likeMs = [];
    for (let c = 0; c < Math.min(COMMITS, 20); c++) likeMs.push(await timed(() => repo.like(userId, `new${String(c).padStart(6, '0')}`, new Date())));
    row.like = stats(likeMs);
    if ((await repo.listLiked(userId, { first: 1 })).totalCount !== size + likeMs.length) throw new Error('likes lost');
    await likes.deleteMany({ userId });
    rows.push(row);
    log(
      `${size} elements: a change ${fmt(row.whole.p50)} whole / ${fmt(row.list.p50)} list (p50); cold read ${fmt(row.wholeCold)} / ${fmt(row.listCold)}; like ${fmt(row.like.p50)} (load average ${load()})`,
    );
  }
} finally {
  await conn.dropDatabase();
  await conn.close();
}

console.log('\nA change of one element of a list of n (p50 / p95 / max), every version stored whole (the anchor) beside changes since a snapshot:\n');
console.log('| n | whole (anchor) | list | ×faster p50 | cold read whole / list | MongoLikeRepository.like p50 / p95 |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const t = (s) => `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} / ${s.max.toFixed(1)} ms`;
  console.log(
    `| ${r.size} | ${t(r.whole)} | ${t(r.list)} | ×${(r.whole.p50 / r.list.p50).toFixed(1)} | ${r.wholeCold.toFixed(1)} / ${r.listCold.toFixed(1)} ms | ${r.like.p50.toFixed(1)} / ${r.like.p95.toFixed(1)} ms |`,
  );
}
const first = rows[0];
const last = rows.at(-1);
console.log(
  `\nGrowth from ${first.size} to ${last.size} elements (p50): whole ×${(last.whole.p50 / first.whole.p50).toFixed(1)}, list ×${(last.list.p50 / first.list.p50).toFixed(1)}, like ×${(last.like.p50 / first.like.p50).toFixed(1)}`,
);
