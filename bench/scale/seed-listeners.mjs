// Seeds the listeners of the scale profile straight into the services' databases, through their
// own persistence models (no 10,000 bcrypt sign-ups, no 1,000,000 folded play events):
//   resource: users (one real bcrypt hash shared by all: resource hashed it for a sign-up),
//             likes, playlists (head + committed version + state, as MongoPlaylistRepository writes them);
//   stream:   the play history (`plays`: a `started` step per play, a `completed` one for 60 %) and
//             the read models the play folder keeps from it (`play_counts`, `recent_plays`,
//             subgraphs/stream/README.md "Play statistics"), computed here from the same steps.
// Users are seeded by index ranges, so a later call adds users [from, to) to what is there; the
// per-track counters are rewritten from every play seeded so far.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { ROOT } from '../library/lib.mjs';

const dist = (service, path) => import(join(ROOT, 'subgraphs', service, 'dist', path));
const { userModel } = await dist('resource', 'persistence/user.model.js');
const { PLAYLIST_HEADS, PLAYLIST_STATES, PLAYLIST_VERSIONS, versionId } = await dist('resource', 'persistence/playlist.model.js');
const { playModel } = await dist('stream', 'persistence/play.model.js');
const { playStatsModels } = await dist('stream', 'persistence/play-stats.model.js');
const { announcePlayCountsRewritten } = await dist('stream', 'persistence/play-count-view.js');
const { RECENT_PLAYS_KEPT } = await dist('stream', 'domain/play-stats.js');
const { PLAY_STATS_MIGRATION } = await dist('stream', 'persistence/play-stats.migration.js');

/** Per user: every 25th is a heavy listener (100 likes, 5 playlists); everyone plays 100 times. */
export const PROFILE = {
  heavyEvery: 25,
  heavyLikes: 100,
  playlistSizes: [10, 20, 40, 60, 120],
  playsPerUser: 100,
  completedShare: 0.6,
  historyDays: 170,
};
export const PASSWORD = 'scale listener password';
export const isHeavy = (u) => u % PROFILE.heavyEvery === 0;
// Light listeners: one like each, a second one for one in 25 (50,000 likes for 10,000 users).
const likesOf = (u) => (isHeavy(u) ? PROFILE.heavyLikes : u % PROFILE.heavyEvery === 12 ? 2 : 1);

const uuidOf = (text) => {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
export const userIdOf = (u) => uuidOf(`scale-user-${u}`);
export const emailOf = (u) => `listener${u}@scale.example.com`;
export const playlistIdOf = (u, k) => uuidOf(`scale-playlist-${u}-${k}`);

/** mulberry32: the same listeners every run. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Opens the two databases; `seed({ from, to, trackIds, passwordHash })` adds users [from, to) and
 * what they did over `trackIds` (the catalogue at that moment). Keeps every track's completed-play
 * count (to rewrite `play_counts`) and each heavy listener's recent plays (to check the API's answers).
 */
export async function openListenerSeeder({ mongodbUrl, dbPrefix, log }) {
  const resource = await mongoose.createConnection(mongodbUrl, { dbName: `${dbPrefix}_resource`, retryWrites: false }).asPromise();
  const stream = await mongoose.createConnection(mongodbUrl, { dbName: `${dbPrefix}_stream`, retryWrites: false }).asPromise();
  const users = userModel(resource).collection;
  const likes = resource.collection('likes');
  const heads = resource.collection(PLAYLIST_HEADS);
  const versions = resource.collection(PLAYLIST_VERSIONS);
  const states = resource.collection(PLAYLIST_STATES);
  const plays = playModel(stream).collection;
  const stats = playStatsModels(stream);
  const counts = new Map();
  const recentOf = new Map();
  const playlistsOf = new Map();
  const totals = { users: 0, likes: 0, playlists: 0, playlistItems: 0, plays: 0, playSteps: 0 };
  const now = Date.now();
  const DAY = 86_400_000;

  async function seed({ from, to, trackIds, passwordHash }) {
    const T = trackIds.length;
    const started = Date.now();
    // The next chunk is generated while the previous one is written.
    let pending = [];
    const CHUNK = 50;
    for (let u0 = from; u0 < to; u0 += CHUNK) {
      const batch = { users: [], likes: [], heads: [], versions: [], states: [], steps: [], recent: [] };
      for (let u = u0; u < Math.min(to, u0 + CHUNK); u++) listener(u, T, trackIds, passwordHash, batch);
      await Promise.all(pending);
      pending = [
        (async () => {
          await users.insertMany(batch.users, { ordered: false });
          await likes.insertMany(batch.likes, { ordered: false });
          if (batch.states.length) {
            await states.insertMany(batch.states, { ordered: false });
            await versions.insertMany(batch.versions, { ordered: false });
            await heads.insertMany(batch.heads, { ordered: false });
          }
        })(),
        (async () => {
          await plays.insertMany(batch.steps, { ordered: false });
          await stats.recent.collection.insertMany(batch.recent, { ordered: false });
        })(),
      ];
      const done = Math.min(to, u0 + CHUNK) - from;
      if (done % 1000 === 0 || done === to - from) {
        const s = (Date.now() - started) / 1000;
        log(
          `  listeners ${from + done}/${to}: ${totals.plays} plays (${totals.playSteps} history steps), ${totals.likes} likes, ${totals.playlistItems} playlist items; ${s.toFixed(0)} s`,
        );
      }
    }
    await Promise.all(pending);
    // The counters: every track played so far, rewritten (plays of the new listeners land on old tracks too).
    const t0 = Date.now();
    // The statistics are built (as the folder's one-time migration leaves a database): stream reads them at start.
    await stats.leases.collection.updateOne({ _id: PLAY_STATS_MIGRATION }, { $setOnInsert: { holder: 'migration', until: new Date() } }, { upsert: true });
    await stats.counts.collection.deleteMany({});
    const docs = [...counts].map(([trackId, count]) => ({ _id: trackId, count, applied: [] }));
    for (let i = 0; i < docs.length; i += 5_000) await stats.counts.collection.insertMany(docs.slice(i, i + 5_000), { ordered: false });
    // Written behind the folder's back: every stream replica's PlayCountView reads them all again.
    await announcePlayCountsRewritten(stream.collection('play_count_changes'));
    log(`  play_counts: ${docs.length} tracks in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  function listener(u, T, trackIds, passwordHash, batch) {
    const r = rng(u * 7_919 + 17);
    const userId = userIdOf(u);
    const createdAt = new Date(now - 200 * DAY + u * 1000);
    batch.users.push({
      _id: userId,
      email: emailOf(u),
      displayName: `Listener ${u}`,
      passwordHash,
      role: 'USER',
      plan: { tier: 'FREE', expiresAt: null },
      createdAt,
      updatedAt: createdAt,
    });
    totals.users += 1;
    const liked = new Set();
    const n = Math.min(likesOf(u), T);
    while (liked.size < n) liked.add(trackIds[Math.floor(r() * T)]);
    for (const trackId of liked) {
      batch.likes.push({ _id: `${userId}:${trackId}`, userId, trackId, likedAt: new Date(now - r() * PROFILE.historyDays * DAY), trackRemoved: false });
    }
    totals.likes += liked.size;
    if (isHeavy(u)) {
      const mine = [];
      PROFILE.playlistSizes.forEach((size, k) => {
        const id = playlistIdOf(u, k);
        const at = new Date(now - (k + 1) * 3 * DAY - r() * DAY);
        const stateId = `${id}:1:${randomBytes(6).toString('hex')}`;
        const items = Array.from({ length: size }, (_, j) => ({
          id: randomBytes(12).toString('base64url'),
          trackId: trackIds[Math.floor(r() * T)],
          addedAt: new Date(at.getTime() + j * 1000),
        }));
        const base = { ownerId: userId, name: `Mix ${k + 1} of listener ${u}`, description: null, visibility: k % 2 ? 'PUBLIC' : 'PRIVATE', version: 1 };
        batch.states.push({ _id: stateId, playlistId: id, ...base, items, createdAt: at, updatedAt: at });
        batch.versions.push({ _id: versionId(id, 1), playlistId: id, version: 1, stateId, deleted: false, committedAt: at });
        batch.heads.push({ _id: id, ...base, trackCount: size, createdAt: at, updatedAt: at, deleted: false, stateId });
        mine.push({ id, size });
        totals.playlists += 1;
        totals.playlistItems += size;
      });
      playlistsOf.set(u, mine);
    }
    const recent = [];
    for (let j = 0; j < PROFILE.playsPerUser; j++) {
      // Popular tracks are played more: index ~ T·x², a tenth of the catalogue takes a third of the plays.
      const x = r();
      const trackId = trackIds[Math.floor(T * x * x)];
      const ticketId = randomUUID();
      const at = new Date(now - r() * PROFILE.historyDays * DAY);
      const completed = r() < PROFILE.completedShare;
      batch.steps.push({ _id: `started:${ticketId}`, kind: 'started', ticketId, userId, trackId, at });
      if (completed) {
        batch.steps.push({ _id: `completed:${ticketId}`, kind: 'completed', ticketId, userId, trackId, at: new Date(at.getTime() + 180_000) });
        counts.set(trackId, (counts.get(trackId) ?? 0) + 1);
      }
      recent.push({ ticketId, trackId, at, completed });
      totals.plays += 1;
      totals.playSteps += completed ? 2 : 1;
    }
    const plays = recent.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, RECENT_PLAYS_KEPT);
    batch.recent.push({ _id: userId, plays });
    if (isHeavy(u)) recentOf.set(u, plays);
  }

  return {
    seed,
    totals,
    counts,
    recentOf,
    playlistsOf,
    async close() {
      await Promise.all([resource.close(), stream.close()]);
    },
  };
}
