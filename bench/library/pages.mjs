#!/usr/bin/env node
// The web app's library pages at catalogue size: each page query of web/src (as the app sends it)
// through the router, the same without the fields other subgraphs answer (`liked`, `playCount`),
// and that library-only document straight to ytm-library, side by side, p50/p95. Walks every
// sort five pages deep by cursor, as bench/scale does. The library is seeded (fast, no audio
// parsing) with bench/subsonic/seed-library.mjs; `--prefix=NAME` keeps and reuses its databases.
//
//   npm run build && MONGODB_URL=… KAFKA_BROKERS=… node bench/library/pages.mjs [--tracks=100000] [--rounds=100] [--prefix=NAME]
//   LIBRARY_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" … profiles the library process
import { mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, print, visit } from 'graphql';
import mongoose from 'mongoose';
import { ROOT, startSystem } from '../../scripts/system.mjs';
import { request } from '../scale/measure.mjs';
import { webDocuments } from '../scale/documents.mjs';
import { seedLibrary } from '../subsonic/seed-library.mjs';
import { arg, KAFKA_BROKERS, MONGODB_URL, percentiles } from './lib.mjs';

const TRACKS = Number(arg('tracks', 100_000));
const ROUNDS = Number(arg('rounds', 100));
const WARMUP = Number(arg('warmup', 5));
const PREFIX = arg('prefix', `benchpages${TRACKS}`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const t0 = Date.now();
const log = (m) => console.log(`[bench/library/pages ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);

/** The document without the fields other subgraphs resolve. */
function libraryOnly(query) {
  return print(visit(parse(query), { Field: (f) => (f.name.value === 'liked' || f.name.value === 'playCount' ? null : undefined) }));
}

const base = join(tmpdir(), `ytm-bench-pages-${PREFIX}`);
const musicDir = join(base, 'music');
mkdirSync(musicDir, { recursive: true });
log(`${TRACKS} tracks, ${ROUNDS} rounds (+${WARMUP} warm-up), databases ${PREFIX}_*; load average ${load()} (${cpus().length} cores)`);
const conn = await mongoose.createConnection(MONGODB_URL, { dbName: `${PREFIX}_library` }).asPromise();
const present = await conn.collection('tracks').estimatedDocumentCount();
await conn.close();
let s = Date.now();
const seeded = await seedLibrary({
  mongodbUrl: MONGODB_URL,
  dbName: `${PREFIX}_library`,
  musicDir,
  count: TRACKS,
  from: Math.min(present, TRACKS),
  now: 1_765_000_000_000,
});
log(
  `library: ${seeded.tracks} tracks, ${seeded.albums} albums, ${seeded.artists} artists (${present >= TRACKS ? 'already seeded' : `seeded in ${((Date.now() - s) / 1000).toFixed(0)} s`})`,
);

const system = await startSystem({
  mongodbUrl: MONGODB_URL,
  kafkaBrokers: KAFKA_BROKERS,
  ephemeral: true,
  dbPrefix: PREFIX,
  production: true,
  env: { LOG_LEVEL: 'warn' },
  serviceEnv: {
    library: { MUSIC_DIR: musicDir, ART_DIR: join(base, 'art'), SCAN_ON_START: 'false', WATCH: 'false', NODE_OPTIONS: process.env.LIBRARY_NODE_OPTIONS ?? '' },
  },
  readyTimeoutMs: 300_000,
});
try {
  log(`system up (load average ${load()})`);
  const email = `pages${Date.now()}@example.com`;
  const signUp = await request(system.graphqlUrl, undefined, 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
    i: { email, password: 'pages benchmark password', displayName: 'Pages' },
  });
  if (signUp.error) throw new Error(`sign-up: ${signUp.error}`);
  const token = signUp.data.signUp.accessToken;
  const libraryUrl = `${system.services.library.url}/graphql`;
  const docs = webDocuments(join(ROOT, 'web/src'));
  const web = (name) => docs.get(name).query;

  let seed = 7;
  const pick = (n) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
  const walkers = new Map();
  /** Every sort in turn, five pages deep by cursor, then back to the first page. */
  const walk = (key, sorts, field) => ({
    vars: (i) => {
      const [sort, direction] = sorts[i % sorts.length];
      return { sort, direction, filter: null, after: walkers.get(`${key}:${sort}`)?.cursor ?? null };
    },
    after: (data, i) => {
      const k = `${key}:${sorts[i % sorts.length][0]}`;
      const n = (walkers.get(k)?.n ?? 0) + 1;
      const { hasNextPage, endCursor } = data[field].pageInfo;
      walkers.set(k, hasNextPage && n < 5 ? { cursor: endCursor, n } : { cursor: null, n: 0 });
    },
  });
  const trackSorts = ['TITLE:ASC', 'ARTIST:ASC', 'ALBUM:ASC', 'ADDED_AT:DESC', 'YEAR:ASC', 'DURATION:DESC'].map((x) => x.split(':'));
  const albumSorts = ['ADDED_AT:DESC', 'TITLE:ASC', 'ARTIST:ASC', 'YEAR:DESC'].map((x) => x.split(':'));
  const { catalogue } = seeded;
  const word = () => {
    const words = catalogue.titles[pick(catalogue.titles.length)].split(' ');
    return words[pick(words.length)];
  };
  const pages = [
    { name: 'Tracks', query: web('Tracks'), ...walk('tracks', trackSorts, 'tracks') },
    { name: 'Albums', query: web('Albums'), ...walk('albums', albumSorts, 'albums') },
    { name: 'Artists', query: web('Artists'), ...walk('artists', [['NAME', 'ASC']], 'artists') },
    { name: 'Album', query: web('Album'), vars: () => ({ id: catalogue.albumIds[pick(catalogue.albumIds.length)] }) },
    {
      name: 'Artist',
      query: web('Artist'),
      vars: (i) => ({ id: i % 2 ? catalogue.artistIds[pick(catalogue.artistIds.length)] : catalogue.albumArtistIds[pick(catalogue.albumArtistIds.length)] }),
    },
    { name: 'Search', query: web('Search'), vars: () => ({ query: word(), limit: 25 }) },
  ];
  // Per page: the web's document through the router, library-only through the router, library-only direct.
  const variants = pages.flatMap((p) => [
    { ...p, label: `${p.name}, as the web sends it`, url: system.graphqlUrl },
    { ...p, label: `${p.name}, library fields only`, url: system.graphqlUrl, query: libraryOnly(p.query) },
    { ...p, label: `${p.name}, library fields only, direct`, url: libraryUrl, query: libraryOnly(p.query) },
  ]);
  // The three variants of a page are sent with the same variables, so they walk the same pages.
  const samples = new Map(variants.map((v) => [v.label, []]));
  log(`measuring ${variants.length} variants × ${ROUNDS} rounds (load average ${load()})`);
  s = Date.now();
  for (let r = -WARMUP; r < ROUNDS; r++) {
    for (const p of pages) {
      const i = r + WARMUP;
      const vars = p.vars(i);
      let first;
      // Each round starts with another of the three, so none always pays what the first one warms.
      const three = variants.filter((x) => x.name === p.name);
      for (const v of [...three.slice(i % 3), ...three.slice(0, i % 3)]) {
        const res = await request(v.url, token, v.query, vars);
        if (res.error) throw new Error(`${v.label}: ${res.error}`);
        if (r >= 0) samples.get(v.label).push(res.ms);
        first ??= res.data;
      }
      p.after?.(first, i);
    }
  }
  log(`measured in ${((Date.now() - s) / 1000).toFixed(0)} s (load average ${load()})`);
  console.log(`\n| query (${TRACKS} tracks, ${seeded.albums} albums, ${seeded.artists} artists) | p50 ms | p95 ms | requests |`);
  console.log('|---|---|---|---|');
  for (const [label, ms] of samples) {
    const { p50, p95, n } = percentiles(ms);
    console.log(`| ${label} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${n} |`);
  }
  console.log(`\nload average at the end: ${load()}`);
} finally {
  await system.stop();
}
