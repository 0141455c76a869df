#!/usr/bin/env node
// ytm-subsonic against the same operations through GraphQL, on the whole system (every process
// spawned on free ports), in one run:
//   - full library sync: search3 with an empty query, pages of 500 songs, vs. walking
//     tracks(first: 100) with the same fields through the router;
//   - getAlbumList2 (alphabeticalByName, pages of 50), getAlbum, getArtist, getArtists, getSong
//     p50/p95 vs. albums(first: 50), album(id) { tracks }, artist(id) { albums }, artists walk, track(id);
//   - an authenticated request after the first costs no bcrypt: 200 pings with u+p vs. with apiKey;
//   - stream time to first byte vs. requestPlayback + GET of the ticket URL.
//
//   node bench/subsonic/run.mjs [--files=100000] [--rounds=100] [--corpus=db|files]
//
// --corpus=db (default): the catalogue is written straight into library's database through its
// persistence (seed-library.mjs; files are hard links to a few real MP3s) and library starts
// without scanning; --corpus=files generates and scans real tagged files (slow at 100,000).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSystem } from '../../scripts/system.mjs';
import { generate } from '../library/generate-corpus.mjs';
import { arg, gql, KAFKA_BROKERS, MONGODB_URL, ms, percentiles } from '../library/lib.mjs';
import { seedLibrary } from './seed-library.mjs';

const files = Number(arg('files', '100000'));
const rounds = Number(arg('rounds', '100'));
const corpus = arg('corpus', 'db');
// The router charges each user's GraphQL cost per minute (USER_COST_PER_MINUTE): this run keeps the
// router's default unless --user-cost-per-minute=N is given (README: "The router's cost budget").
const userCostPerMinute = arg('user-cost-per-minute', '');
const base = mkdtempSync(join(tmpdir(), 'ytm-bench-subsonic-'));
const musicDir = join(base, 'music');
const dbPrefix = `bench_subsonic_${randomUUID().slice(0, 8)}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(`load average at start: ${load()} (${(await import('node:os')).cpus().length} cores)`);
const t0 = performance.now();
if (corpus === 'db') {
  const seeded = await seedLibrary({ mongodbUrl: MONGODB_URL, dbName: `${dbPrefix}_library`, musicDir, count: files });
  console.log(
    `seeded library's database: ${seeded.tracks} tracks, ${seeded.albums} albums, ${seeded.artists} artists in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
} else {
  console.log(`generating ${files} files…`);
  generate(musicDir, files);
}

const TRACK = `id title trackNumber discNumber duration genres year addedAt likedAt
  format { container codec mimeType bitrate sampleRate channels fileSize }
  coverArt { url } album { id title artist { id name } } artists { id name }`;
const ALBUM = 'id title year genres compilation trackCount duration addedAt coverArt { url } artist { id name }';

const system = await startSystem({
  mongodbUrl: MONGODB_URL,
  kafkaBrokers: KAFKA_BROKERS,
  ephemeral: true,
  dbPrefix,
  production: true,
  // The admin is PREMIUM: no daily ticket limit for the stream rounds.
  env: {
    LOG_LEVEL: 'warn',
    ADMIN_EMAIL: 'bench-admin@example.com',
    ADMIN_PASSWORD: 'bench admin password',
    ...(userCostPerMinute ? { USER_COST_PER_MINUTE: userCostPerMinute } : {}),
  },
  serviceEnv: {
    library: { MUSIC_DIR: musicDir, ART_DIR: join(base, 'art'), ...(corpus === 'db' ? { SCAN_ON_START: 'false', WATCH: 'false' } : {}) },
  },
  readyTimeoutMs: 180_000,
});

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}
async function series(n, fn) {
  const samples = [];
  for (let i = 0; i < n; i++) samples.push((await timed(() => fn(i)))[0]);
  return percentiles(samples);
}
/**
 * The two sides interleaved round by round (the first one alternating), so warm caches and the
 * shared machine's load swings fall on both alike.
 */
async function paired(n, fa, fb) {
  const a = [];
  const b = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      a.push((await timed(() => fa(i)))[0]);
      b.push((await timed(() => fb(i)))[0]);
    } else {
      b.push((await timed(() => fb(i)))[0]);
      a.push((await timed(() => fa(i)))[0]);
    }
  }
  return [percentiles(a), percentiles(b)];
}
const row = (name, [a, b], target) =>
  console.log(
    `${name.padEnd(34)} subsonic p50 ${ms(a.p50).padStart(9)} p95 ${ms(a.p95).padStart(9)} | graphql p50 ${ms(b.p50).padStart(9)} p95 ${ms(b.p95).padStart(9)}${target ? ` | target p95 ≤ ${target}` : ''}`,
  );

try {
  const url = system.routerUrl;
  const email = 'bench-admin@example.com';
  const password = 'bench admin password';
  const { signIn } = await gql(url, 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { accessToken } }', { e: email, p: password });
  const token = signIn.accessToken;
  const { createApiKey } = await gql(url, 'mutation { createApiKey(name: "bench") { secret } }', {}, token);
  const key = createApiKey.secret;
  // The GraphQL walk is another listener's: each side of the sync spends its own cost budget.
  const { signUp } = await gql(url, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
    i: { email: 'bench-walker@example.com', password: 'bench walker password', displayName: 'Walker' },
  });
  const walkerToken = signUp.accessToken;
  for (;;) {
    const { scanStatus, libraryStats } = await gql(url, '{ scanStatus { state } libraryStats { trackCount } }', {}, token);
    if (scanStatus.state !== 'RUNNING' && libraryStats.trackCount >= files) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`system up through the router with ${files} tracks; router USER_COST_PER_MINUTE=${userCostPerMinute || 'default'}`);
  const rest = async (endpoint, params) => {
    const u = new URL(`/rest/${endpoint}`, url);
    for (const [k, v] of Object.entries({ apiKey: key, f: 'json', v: '1.16.1', c: 'bench', ...params })) if (v !== undefined) u.searchParams.set(k, String(v));
    const body = (await (await fetch(u)).json())['subsonic-response'];
    if (body.status !== 'ok') throw new Error(`${endpoint}: ${JSON.stringify(body.error)}`);
    return body;
  };

  // Full sync.
  const [syncMs, synced] = await timed(async () => {
    let n = 0;
    for (let offset = 0; ; offset += 500) {
      const page = await rest('search3', { query: '', songCount: 500, songOffset: offset, artistCount: 0, albumCount: 0 });
      n += page.searchResult3.song?.length ?? 0;
      if ((page.searchResult3.song?.length ?? 0) < 500) return n;
    }
  });
  const [walkMs, walked] = await timed(async () => {
    let n = 0;
    let after = null;
    for (;;) {
      const r = await gql(
        url,
        `query($after: String) { tracks(first: 100, after: $after, sort: ADDED_AT) { pageInfo { endCursor hasNextPage } edges { node { ${TRACK} } } } }`,
        { after },
        walkerToken,
      );
      n += r.tracks.edges.length;
      if (!r.tracks.pageInfo.hasNextPage) return n;
      after = r.tracks.pageInfo.endCursor;
    }
  });
  console.log(
    `full sync of ${synced} songs: search3 (pages of 500) ${(syncMs / 1000).toFixed(1)} s | GraphQL tracks(first: 100) walk of ${walked}: ${(walkMs / 1000).toFixed(1)} s | target ≤ 60 s`,
  );

  // Browse endpoints.
  const firstAlbums = (await rest('getAlbumList2', { type: 'alphabeticalByName', size: 500 })).albumList2.album;
  const albumIds = firstAlbums.map((a) => a.id);
  const artistIds = [...new Set(firstAlbums.map((a) => a.artistId))];
  const songIds = (await rest('search3', { query: '', songCount: 500, artistCount: 0, albumCount: 0 })).searchResult3.song.map((s) => s.id);
  let after = null;
  row(
    'getAlbumList2 (50) / albums(50)',
    await paired(
      rounds,
      (i) => rest('getAlbumList2', { type: 'alphabeticalByName', size: 50, offset: (i % 20) * 50 }),
      async () => {
        const r = await gql(
          url,
          `query($after: String) { albums(first: 50, after: $after) { pageInfo { endCursor hasNextPage } edges { node { ${ALBUM} } } } }`,
          { after },
          token,
        );
        after = r.albums.pageInfo.hasNextPage ? r.albums.pageInfo.endCursor : null;
      },
    ),
    '30 ms',
  );
  row(
    'getAlbum / album { tracks }',
    await paired(
      rounds,
      (i) => rest('getAlbum', { id: albumIds[i % albumIds.length] }),
      (i) => gql(url, `query($id: ID!) { album(id: $id) { ${ALBUM} tracks { ${TRACK} } } }`, { id: albumIds[i % albumIds.length] }, token),
    ),
    '30 ms',
  );
  row(
    'getArtist / artist { albums }',
    await paired(
      rounds,
      (i) => rest('getArtist', { id: artistIds[i % artistIds.length] }),
      (i) =>
        gql(
          url,
          `query($id: ID!) { artist(id: $id) { id name sortName albumCount coverArt { url } albums(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${ALBUM} } } } } }`,
          { id: artistIds[i % artistIds.length] },
          token,
        ),
    ),
    '30 ms',
  );
  row(
    'getSong / track',
    await paired(
      rounds,
      (i) => rest('getSong', { id: songIds[i % songIds.length] }),
      (i) => gql(url, `query($id: ID!) { track(id: $id) { ${TRACK} playCount } }`, { id: songIds[i % songIds.length] }, token),
    ),
    '30 ms',
  );
  row(
    'getArtists / artists walk (cached)',
    [
      await series(rounds, () => rest('getArtists', {})),
      await series(Math.min(rounds, 5), async () => {
        let a = null;
        for (;;) {
          const r = await gql(
            url,
            'query($after: String) { artists(first: 100, after: $after) { pageInfo { endCursor hasNextPage } edges { node { id name sortName albumCount coverArt { url } } } } }',
            { after: a },
            token,
          );
          if (!r.artists.pageInfo.hasNextPage) break;
          a = r.artists.pageInfo.endCursor;
        }
      }),
    ],
    '30 ms',
  );
  // The same answer without the client's JSON.parse of ~18,000 artists: what the server and the hop cost.
  const received = await series(rounds, async () => {
    const u = new URL('/rest/getArtists', url);
    for (const [k, v] of Object.entries({ apiKey: key, f: 'json', v: '1.16.1', c: 'bench' })) u.searchParams.set(k, v);
    const res = await fetch(u);
    if (res.status !== 200) throw new Error(`getArtists: HTTP ${res.status}`);
    return res.arrayBuffer();
  });
  console.log(`getArtists, body received, not parsed subsonic p50 ${ms(received.p50).padStart(9)} p95 ${ms(received.p95).padStart(9)} | target p95 ≤ 30 ms`);

  // Passwords: bcrypt once, then remembered.
  const [firstMs] = await timed(() => rest('ping', { apiKey: undefined, u: email, p: password }));
  const withPassword = await series(rounds, () => rest('ping', { apiKey: undefined, u: email, p: password }));
  const withKey = await series(rounds, () => rest('ping', {}));
  console.log(
    `ping with u+p: first ${ms(firstMs)} (bcrypt), then p50 ${ms(withPassword.p50)} p95 ${ms(withPassword.p95)} | with apiKey p50 ${ms(withKey.p50)} p95 ${ms(withKey.p95)}`,
  );

  // Stream: time to first byte.
  const ttfb = async (u) => {
    const t0 = performance.now();
    const res = await fetch(u);
    const reader = res.body.getReader();
    await reader.read();
    const t = performance.now() - t0;
    await reader.cancel();
    return t;
  };
  const streamSamples = [];
  const ticketSamples = [];
  for (let i = 0; i < Math.min(rounds, 50); i++) {
    const id = songIds[i % songIds.length];
    streamSamples.push(await ttfb(`${url}/rest/stream?apiKey=${encodeURIComponent(key)}&id=${id}`));
    const t0 = performance.now();
    const { requestPlayback } = await gql(url, 'mutation($id: ID!) { requestPlayback(trackId: $id) { url } }', { id }, token);
    ticketSamples.push(performance.now() - t0 + (await ttfb(requestPlayback.url)));
  }
  row('stream first byte / ticket + GET', [percentiles(streamSamples), percentiles(ticketSamples)]);
  console.log(`load average at the end: ${load()}`);
} finally {
  await system.stop();
  rmSync(base, { recursive: true, force: true });
}
