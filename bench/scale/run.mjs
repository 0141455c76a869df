#!/usr/bin/env node
// The scale profile (issue 20, item 6): 100,000 tracks, 10,000 users, 1,000,000 plays, 50,000
// likes, playlists with 100,000 items. Seeds 10 % of it, measures every query of the web app's
// pages through the router (p50/p95, each request as one of many signed-in listeners), seeds the
// rest, measures again, and prints one table: how each query grows from 10 % to 100 %, beside
// the targets. See README.md (knobs: SCALE, STAGES, ROUNDS, WARMUP, LISTENERS, QUERY_BUDGET_S, MIN_SAMPLES, KEEP_DB, PROFILE).
//
//   npm run build && node bench/scale/run.mjs
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { down, up } from '../../infra/infra.mjs';
import { ROOT, startSystem } from '../../scripts/system.mjs';
import { seedLibrary } from '../subsonic/seed-library.mjs';
import { measure, prepareListeners, signIn, stageSummary, table, verifySeeded } from './measure.mjs';
import { querySpecs } from './queries.mjs';
import { emailOf, isHeavy, openListenerSeeder, PASSWORD, rng } from './seed-listeners.mjs';

const SCALE = Number(process.env.SCALE ?? 1);
const ROUNDS = Number(process.env.ROUNDS ?? 100);
const WARMUP = Number(process.env.WARMUP ?? 5);
const LISTENERS = Number(process.env.LISTENERS ?? 40);
const BUDGET_S = Number(process.env.QUERY_BUDGET_S ?? 30);
const MIN_SAMPLES = Number(process.env.MIN_SAMPLES ?? 10);
const FULL = { tracks: Math.round(100_000 * SCALE), users: Math.round(10_000 * SCALE) };
/** STAGES=1: only the full size (no growth column), e.g. to profile it. */
const STAGES = (process.env.STAGES ?? '0.1,1').split(',').map(Number);
/** PROFILE=<dir>: CPU profiles of PROFILE_SERVICES (default router,stream) while each stage is measured (read with bench/router/profile-summary.mjs). */
const PROFILE = process.env.PROFILE ? resolve(process.env.PROFILE) : undefined;
const PROFILED = (process.env.PROFILE_SERVICES ?? 'router,stream').split(',');
let stageName = '';
const profileDir = (name) => join(PROFILE, stageName, name);
const ADMIN = { email: 'scale-admin@example.com', password: 'scale admin password' };

const t0 = Date.now();
const log = (m) => console.log(`[bench/scale ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
log(
  `SCALE=${SCALE} ROUNDS=${ROUNDS} WARMUP=${WARMUP} LISTENERS=${LISTENERS} QUERY_BUDGET_S=${BUDGET_S} MIN_SAMPLES=${MIN_SAMPLES}; load average ${load()} (${cpus().length} cores)`,
);

const infra = process.env.MONGODB_URL && process.env.KAFKA_BROKERS ? undefined : await up({ log: () => undefined });
const mongodbUrl = process.env.MONGODB_URL ?? infra.mongodbUrl;
const kafkaBrokers = process.env.KAFKA_BROKERS ?? infra.kafkaBrokers;
const dbPrefix = `benchscale${randomUUID().slice(0, 8)}`;
const base = mkdtempSync(join(tmpdir(), 'ytm-bench-scale-'));
const musicDir = join(base, 'music');
const trustDir = join(base, 'trust');
const seeder = await openListenerSeeder({ mongodbUrl, dbPrefix, log });
const pick = (() => {
  const r = rng(20);
  return (n) => Math.floor(r() * n);
})();
const now = Date.now();
const results = [];
let system;
let passwordHash;
let library = { trackIds: [] };

const start = (only) =>
  startSystem({
    only,
    mongodbUrl,
    kafkaBrokers,
    ephemeral: true,
    dbPrefix,
    production: true,
    trustDir,
    env: { LOG_LEVEL: 'warn', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    serviceEnv: {
      ...(PROFILE ? Object.fromEntries(PROFILED.map((name) => [name, profilerEnv(name)])) : {}),
      library: {
        MUSIC_DIR: musicDir,
        ART_DIR: join(base, 'art'),
        SCAN_ON_START: 'false',
        WATCH: 'false',
        ...(PROFILE && PROFILED.includes('library') ? profilerEnv('library') : {}),
      },
    },
    readyTimeoutMs: 300_000,
  });

process.once('SIGINT', () => {
  log('interrupted: stopping');
  void cleanup().then(() => process.exit(130));
});

try {
  let tracksBefore = 0;
  let usersBefore = 0;
  for (const fraction of STAGES) {
    const tracks = Math.round(FULL.tracks * fraction);
    const users = Math.round(FULL.users * fraction);
    stageName = `${fraction * 100}%`;
    log(`— ${fraction * 100} %: seeding the library to ${tracks} tracks`);
    let s = Date.now();
    // addedAt = now − (FULL − i) s for track i at every stage: the tracks added later are the newer ones.
    const seeded = await seedLibrary({
      mongodbUrl,
      dbName: `${dbPrefix}_library`,
      musicDir,
      count: tracks,
      from: tracksBefore,
      now: now - (FULL.tracks - tracks) * 1000,
    });
    library = seeded.catalogue;
    log(`  library: ${seeded.tracks} tracks, ${seeded.albums} albums, ${seeded.artists} artists (${((Date.now() - s) / 1000).toFixed(0)} s)`);
    if (!passwordHash) {
      // The router and resource only, for one sign-up: resource hashes the listeners' password once.
      const minimal = await start(['router', 'resource']);
      passwordHash = await templateHash(minimal).finally(() => minimal.stop());
    }
    s = Date.now();
    log(`  seeding listeners ${usersBefore}–${users - 1}`);
    await seeder.seed({ from: usersBefore, to: users, trackIds: library.trackIds, passwordHash });
    log(`  listeners seeded in ${((Date.now() - s) / 1000).toFixed(0)} s: ${JSON.stringify(seeder.totals)}`);
    // Seeded with the system down: library loads its catalogue at start, resource and stream
    // hold per-user caches and stream its play counts; a start sees the grown databases as a
    // restarted server would.
    system = await start();
    log(`  system up at ${system.routerUrl}`);
    // Heavy listeners (100 likes, 5 playlists, 100 recent plays) spread over every user so far:
    // early and late documents alike (FerretDB reads a collection until an `_id` is found).
    const heavy = Array.from({ length: users }, (_, u) => u).filter(isHeavy);
    const chosen = Array.from(
      { length: Math.min(LISTENERS, heavy.length) },
      (_, k) => heavy[Math.round((k * (heavy.length - 1)) / Math.max(1, Math.min(LISTENERS, heavy.length) - 1))],
    );
    s = Date.now();
    const listeners = await signIn(
      system.graphqlUrl,
      chosen.map((u) => ({ u, email: emailOf(u), password: PASSWORD })),
    );
    const [admin] = await signIn(system.graphqlUrl, [{ u: -1, ...ADMIN }]);
    log(`  ${listeners.length} listeners and the admin signed in through the router (${((Date.now() - s) / 1000).toFixed(0)} s)`);
    const specs = querySpecs(join(ROOT, 'web/src'), library, pick, { users });
    await prepareListeners(system.graphqlUrl, listeners, seeder, specs);
    await verifySeeded(system.graphqlUrl, listeners, seeder, library, pick);
    log(`  answers match the seeded data; measuring ${specs.length} queries × ${ROUNDS} rounds (load average ${load()})`);
    s = Date.now();
    if (PROFILE) toggleProfilers(system);
    const samples = await measure(system.graphqlUrl, specs, listeners, admin, {
      rounds: ROUNDS,
      warmup: WARMUP,
      budgetMs: BUDGET_S * 1000,
      minSamples: MIN_SAMPLES,
    });
    if (PROFILE) await profilesWritten(system, `${fraction * 100}%`);
    results.push({
      fraction,
      samples,
      specs: new Map(specs.map((x) => [x.name, x])),
      load: load(),
      sizes: { tracks, albums: seeded.albums, artists: seeded.artists, ...seeder.totals },
    });
    log(`  measured in ${((Date.now() - s) / 1000).toFixed(0)} s (load average ${load()})`);
    stageSummary(fraction, samples, console.log);
    tracksBefore = tracks;
    usersBefore = users;
    // The next stage seeds with the system down: library loads its catalogue at start, resource
    // and stream hold per-user caches; a fresh start sees the grown databases as a server would.
    await system.stop();
    system = undefined;
  }
  console.log('');
  if (results.length === 2) table(results, console.log);
} finally {
  await cleanup();
}

function profilerEnv(name) {
  mkdirSync(profileDir(name), { recursive: true });
  return { NODE_OPTIONS: `--import ${join(ROOT, 'bench/router/cpu-profiler.mjs')}`, YTM_CPU_PROFILE_DIR: profileDir(name) };
}

/** cpu-profiler.mjs: the first SIGUSR2 starts a service's profiler, the next writes <n>.cpuprofile. */
function toggleProfilers(sys) {
  for (const name of PROFILED) process.kill(sys.services[name].proc.pid, 'SIGUSR2');
}

async function profilesWritten(sys, stage) {
  const written = (name) => readdirSync(profileDir(name)).filter((f) => f.endsWith('.cpuprofile')).length;
  const before = new Map(PROFILED.map((name) => [name, written(name)]));
  toggleProfilers(sys);
  for (const name of PROFILED) {
    for (let i = 0; i < 100 && written(name) === before.get(name); i++) await new Promise((r) => setTimeout(r, 100));
    if (written(name) > before.get(name)) log(`  ${stage}: ${name}'s profile in ${profileDir(name)}/${before.get(name) + 1}.cpuprofile`);
  }
}

async function templateHash(sys) {
  // One sign-up through the router: resource hashes the shared password once (bcrypt, its pepper).
  const email = 'template@scale.example.com';
  const res = await fetch(sys.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
      variables: { i: { email, password: PASSWORD, displayName: 'Template' } },
    }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`sign-up: ${JSON.stringify(body.errors)}`);
  const conn = await mongoose.createConnection(mongodbUrl, { dbName: `${dbPrefix}_resource` }).asPromise();
  try {
    return (await conn.collection('users').findOne({ email })).passwordHash;
  } finally {
    await conn.close();
  }
}

async function cleanup() {
  await system?.stop().catch(() => undefined);
  system = undefined;
  await seeder.close().catch(() => undefined);
  if (process.env.KEEP_DB !== '1') {
    const conn = await mongoose.createConnection(mongodbUrl).asPromise();
    for (const db of ['library', 'resource', 'stream', 'subsonic'])
      await conn
        .useDb(`${dbPrefix}_${db}`)
        .dropDatabase()
        .catch(() => undefined);
    await conn.close();
  } else log(`databases kept: ${dbPrefix}_*`);
  rmSync(base, { recursive: true, force: true });
  if (infra?.startedNow.length && process.env.YTM_KEEP_INFRA !== '1') await down({ only: infra.startedNow, log: () => undefined });
}
