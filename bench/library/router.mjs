#!/usr/bin/env node
// Through the router (the whole system, every process spawned on free ports): watcher latency
// (file renamed into the library → its track answered by `search` via the router) and
// `tracks(first: 100)` with album and artists.
//   node bench/library/router.mjs [--files=10000] [--rounds=20] [--pages=50]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSystem } from '../../scripts/system.mjs';
import { generate } from './generate-corpus.mjs';
import { arg, gql, KAFKA_BROKERS, MONGODB_URL, ms, percentiles, SEARCH_TITLES, watcherRounds } from './lib.mjs';

const files = Number(arg('files', '10000'));
const rounds = Number(arg('rounds', '20'));
const pages = Number(arg('pages', '50'));
const base = mkdtempSync(join(tmpdir(), 'ytm-bench-router-'));
const musicDir = join(base, 'music');
generate(musicDir, files);

const dbPrefix = `bench_router_${randomUUID().slice(0, 8)}`;
const system = await startSystem({
  mongodbUrl: MONGODB_URL,
  kafkaBrokers: KAFKA_BROKERS,
  ephemeral: true,
  dbPrefix,
  production: true,
  env: { LOG_LEVEL: 'warn' },
  serviceEnv: { library: { MUSIC_DIR: musicDir, ART_DIR: join(base, 'art') } },
  readyTimeoutMs: 120_000,
});
try {
  const url = system.routerUrl;
  const { signUp } = await gql(url, 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }', {
    input: { email: `bench-${randomUUID().slice(0, 8)}@example.com`, password: 'bench password 1234', displayName: 'Bench' },
  });
  const token = signUp.accessToken;
  for (;;) {
    const { scanStatus, libraryStats } = await gql(url, '{ scanStatus { state } libraryStats { trackCount } }', {}, token);
    if (scanStatus.state !== 'RUNNING' && libraryStats.trackCount >= files) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`system up through the router with ${files} tracks scanned`);

  const page = [];
  let after = null;
  for (let i = 0; i < pages; i++) {
    const t0 = performance.now();
    const r = await gql(
      url,
      'query($after: String) { tracks(first: 100, after: $after, sort: ARTIST) { pageInfo { endCursor hasNextPage } edges { node { id title duration artists { id name } album { id title artist { name } coverArt { url } } } } } }',
      { after },
      token,
    );
    page.push(performance.now() - t0);
    after = r.tracks.pageInfo.hasNextPage ? r.tracks.pageInfo.endCursor : null;
  }
  const p = percentiles(page);
  console.log(`tracks(first: 100) with album and artists through the router: p50 ${ms(p.p50)}, p95 ${ms(p.p95)} (${p.n} pages)`);

  const samples = await watcherRounds({
    base,
    musicDir,
    rounds,
    from: 2_000_000,
    step: 41,
    seed: 77,
    titlesFor: async (q) => (await gql(url, SEARCH_TITLES, { q }, token)).search.tracks.map((t) => t.title),
  });
  const w = percentiles(samples);
  console.log(`watcher through the router (file renamed in → searchable): p50 ${ms(w.p50)}, p95 ${ms(w.p95)}, max ${ms(w.max)} (${w.n} rounds)`);
} finally {
  await system.stop();
  rmSync(base, { recursive: true, force: true });
}
