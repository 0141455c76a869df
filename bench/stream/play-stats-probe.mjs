// Issue 20's two history-proof reads — `Track.playCount` for a page of 50 and
// `recentlyPlayed(first: 50)` — as ytm-stream's persistence does them, at 10 % and 100 % of the
// scale profile (100,000 tracks played, 10,000 users, 1,000,000 plays), on two private FerretDB 1.24
// (SQLite) started side by side: as released, and as infra/ runs it (with infra/sqlite-id-index).
// Prints p50/p95 beside the 20 ms target and the load average. Not through the router: that is
// bench/scale (this isolates the store reads). Run: npm run build && node bench/stream/play-stats-probe.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled, getFreePorts, idLookupPlan, startFerretDB } from '../../infra/infra.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { default: mongoose } = await import(join(ROOT, 'node_modules/mongoose/index.js'));
const dist = (f) => import(join(ROOT, 'subgraphs/stream/dist/persistence', f));
const { MongoPlayRepository } = await dist('play.repository.js');
const { PlayCountView } = await dist('play-count-view.js');
const { playStatsModels } = await dist('play-stats.model.js');
const { PLAY_STATS_MIGRATION } = await dist('play-stats.migration.js');

const SCALE = Number(process.env.SCALE ?? 1);
const ROUNDS = Number(process.env.ROUNDS ?? 100);
/** A slow read (FerretDB as released) stops after this long with at least 3 samples. */
const BUDGET_MS = Number(process.env.BUDGET_S ?? 20) * 1_000;
const FULL = { tracks: Math.round(100_000 * SCALE), users: Math.round(10_000 * SCALE) };
const PER_USER = 100; // plays per user: 10,000 users → 1,000,000 plays
const TARGET_MS = 20;

const trackId = (i) => `track-${String(i).padStart(7, '0')}`;
const userId = (i) => `user-${String(i).padStart(6, '0')}`;
const silent = { child: () => silent, info() {}, warn() {}, error() {}, debug() {} };
const pick = (n) => Math.floor(Math.random() * n);

async function seed(models, from, to) {
  for (let i = from.tracks; i < to.tracks; i += 2_000) {
    const n = Math.min(2_000, to.tracks - i);
    await models.counts.collection.insertMany(Array.from({ length: n }, (_, j) => ({ _id: trackId(i + j), count: 1 + ((i + j) % 97), applied: [] })));
  }
  const base = Date.now() - 170 * 86_400_000;
  for (let u = from.users; u < to.users; u += 200) {
    const n = Math.min(200, to.users - u);
    const docs = Array.from({ length: n }, (_, j) => ({
      _id: userId(u + j),
      plays: Array.from({ length: PER_USER }, (_, k) => ({
        ticketId: `${u + j}-${k}`,
        trackId: trackId(pick(to.tracks)),
        at: new Date(base + (PER_USER - k) * 3_600_000),
        completed: k % 5 !== 0,
      })),
    }));
    await models.recent.collection.insertMany(docs);
  }
}

async function time(fn) {
  const samples = [];
  const started = Date.now();
  for (let r = 0; r < ROUNDS; r++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (Date.now() - started > BUDGET_MS && samples.length >= 3) break;
  }
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  return { n: samples.length, p50: pct(50), p95: pct(95) };
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(2)).padStart(8);
const rows = [];
function row(stage, read, store, r) {
  const verdict = r.p95 <= TARGET_MS ? 'met' : 'missed';
  const line = `${stage.padEnd(6)} ${read.padEnd(44)} ${store.padEnd(24)} ${fmt(r.p50)} ${fmt(r.p95)} ${String(r.n).padStart(5)}   ≤ ${TARGET_MS} ms ${verdict}`;
  rows.push(line);
  console.log(line);
}

const dir = mkdtempSync(join(tmpdir(), 'ytm-play-stats-probe-'));
const servers = [];
try {
  await ensureInstalled({ only: ['ferretdb'] });
  const [pa, pb] = await getFreePorts(2);
  const stores = [
    { name: 'as released', handle: await startFerretDB({ port: pa, dataDir: join(dir, 'plain'), idIndex: false }) },
    { name: 'with infra id index', handle: await startFerretDB({ port: pb, dataDir: join(dir, 'indexed') }) },
  ];
  servers.push(...stores.map((s) => s.handle));
  for (const s of stores) {
    s.conn = await mongoose.createConnection(s.handle.url, { dbName: 'stream', retryWrites: false, maxPoolSize: 20 }).asPromise();
    s.models = playStatsModels(s.conn);
    await s.models.leases.collection.insertOne({ _id: PLAY_STATS_MIGRATION, holder: 'probe', until: new Date() });
  }
  const [plain, indexed] = stores;
  let size = { tracks: 0, users: 0 };
  console.log(`stage  read${' '.repeat(40)} FerretDB 1.24 (SQLite)         p50      p95     n   target`);
  for (const share of [0.1, 1]) {
    const next = { tracks: Math.round(FULL.tracks * share), users: Math.round(FULL.users * share) };
    const seeded = Date.now();
    await Promise.all(stores.map((s) => seed(s.models, size, next)));
    size = next;
    const stage = `${share * 100} %`;
    const plays = size.users * PER_USER;
    console.log(
      `-- ${stage}: ${size.tracks.toLocaleString('en')} tracks played, ${size.users.toLocaleString('en')} users, ${plays.toLocaleString('en')} plays ` +
        `(seeded in ${((Date.now() - seeded) / 1000).toFixed(0)} s); load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    for (const s of stores)
      console.log(`   _id lookup plan, ${s.name}: ${(await idLookupPlan(s.handle.dataDir, 'stream', 'play_counts')).replace(/\n/g, ' / ')}`);
    const page = () => Array.from({ length: 50 }, () => trackId(pick(size.tracks)));
    const user = () => userId(pick(size.users));

    // Before (main until now): one `$in` for the page; recentlyPlayed by `{ _id }`.
    row(
      stage,
      'playCount, page of 50: find {_id: {$in}}',
      plain.name,
      await time(() => plain.models.counts.find({ _id: { $in: page() } }, { count: 1 }).lean()),
    );
    row(
      stage,
      'playCount, page of 50: find {_id: {$in}}',
      indexed.name,
      await time(() => indexed.models.counts.find({ _id: { $in: page() } }, { count: 1 }).lean()),
    );
    // After: the store path (50 reads by `_id`) and the replica's PlayCountView.
    const storePath = new MongoPlayRepository(indexed.models);
    row(stage, 'playCount, page of 50: 50 × find {_id}', indexed.name, await time(() => storePath.countCompleted(page())));
    const view = new PlayCountView({ models: indexed.models, changes: indexed.conn.collection('play_count_changes'), logger: silent });
    const loading = Date.now();
    await view.refresh();
    console.log(`   PlayCountView: every counter loaded in ${Date.now() - loading} ms (once per replica start, and every 10 min)`);
    const viewPath = new MongoPlayRepository(indexed.models, () => undefined, view);
    row(stage, 'playCount, page of 50: PlayCountView', indexed.name, await time(() => viewPath.countCompleted(page())));
    row(stage, 'recentlyPlayed(first: 50): find {_id}', plain.name, await time(() => new MongoPlayRepository(plain.models).recentlyPlayed(user(), 50)));
    row(stage, 'recentlyPlayed(first: 50): find {_id}', indexed.name, await time(() => storePath.recentlyPlayed(user(), 50)));
  }
} finally {
  await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
